use super::*;

fn doc(s: &str) -> Document {
    Document::parse(s.to_string(), "t.xml").unwrap()
}

const CUSTOMIZATIONS: &str = "<ImportExportXml><Entities><Entity><Name LocalizedName=\"Project\">new_Project</Name><EntityInfo><entity Name=\"new_project\"><attributes><attribute PhysicalName=\"new_Score\"><displaynames><displayname description=\"Note\" languagecode=\"1036\" /><displayname description=\"Score\" languagecode=\"1033\" /></displaynames></attribute></attributes></entity></EntityInfo><SavedQueries><savedqueries><savedquery><savedqueryid>{ABC-1}</savedqueryid><fetchxml><fetch><entity name=\"new_project\"><attribute name=\"new_score\" /></entity></fetch></fetchxml></savedquery></savedqueries></SavedQueries></Entity></Entities></ImportExportXml>";

#[test]
fn unnamed_components_differ_from_named_ones_only_in_their_names() {
    let d = doc(CUSTOMIZATIONS);
    let find = |naming| collect_components(&d, 0, "customizations.xml", None, naming);
    let (named, unnamed) = (find(Naming::Named), find(Naming::Unnamed));
    assert_eq!(named.len(), 3);
    assert_eq!(named.len(), unnamed.len());
    for (n, u) in named.iter().zip(&unnamed) {
        assert_eq!(
            (&n.path, &n.key, n.node, n.parent),
            (&u.path, &u.key, u.node, u.parent)
        );
        assert!(u.display.is_empty(), "{}", u.path);
        // What `check` finds when it names one: the same name.
        let found = display_of(&d, u.node, u.kind).unwrap_or_else(|| u.kind.title.to_string());
        assert_eq!(found, n.display);
    }
}

#[test]
fn components_get_stable_paths_and_display_names() {
    let d = doc(CUSTOMIZATIONS);
    let comps = collect_components(
        &d,
        0,
        "customizations.xml",
        entry_prefix("customizations.xml"),
        Naming::Named,
    );
    let got: Vec<_> = comps
        .iter()
        .map(|c| (c.path.as_str(), c.display.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("entity:new_project", "Project"),
            ("entity:new_project/attribute:new_score", "Score"),
            ("entity:new_project/view:abc-1", "{ABC-1}"),
        ]
    );
    assert_eq!(comps[1].parent, Some(0));
}

#[test]
fn fetch_attributes_are_not_columns() {
    let d = doc(CUSTOMIZATIONS);
    let c = Classifier::new(&d);
    let fetch_attr = (0..d.node_count() as u32)
        .map(NodeId)
        .find(|&n| d.is_element(n) && d.name(n) == "attribute" && d.attr(n, "name").is_some())
        .unwrap();
    assert_eq!(c.classify(fetch_attr).unwrap().name, "fetchattribute");
}

#[test]
fn packager_files_get_the_entity_from_their_folder() {
    let form = doc(
        "<forms><systemform><formid>{6ED25386-E3EC-4E2B-BC5E-6A2A7803C8F3}</formid></systemform></forms>",
    );
    let comps = collect_components(
        &form,
        0,
        "Entities/Account/FormXml/main/{6ed25386}.xml",
        entry_prefix("Entities/Account/FormXml/main/{6ed25386}.xml"),
        Naming::Named,
    );
    assert_eq!(
        comps[0].path,
        "entity:account/form:6ed25386-e3ec-4e2b-bc5e-6a2a7803c8f3"
    );
    let entity = doc("<Entity><Name>Account</Name></Entity>");
    let comps = collect_components(
        &entity,
        0,
        "Entities/Account/Entity.xml",
        entry_prefix("Entities/Account/Entity.xml"),
        Naming::Named,
    );
    assert_eq!(comps[0].path, "entity:account");
    // The root anchor: a form element nested elsewhere is not a SolutionPackager form root.
    let other = doc("<x><forms><systemform><formid>1</formid></systemform></forms></x>");
    assert_eq!(
        collect_components(&other, 0, "x.xml", entry_prefix("x.xml"), Naming::Named)[0].path,
        "form:1"
    );
}

#[test]
fn keys_ignore_case_and_braces() {
    assert_eq!(normalize_key(" {ABC-def} "), "abc-def");
    assert_eq!(normalize_key("new_Score"), "new_score");
    let d = doc(
        "<RootComponents><RootComponent type=\"1\" schemaName=\"Account\" /><RootComponent type=\"20\" id=\"{AA}\" schemaName=\"x\" /></RootComponents>",
    );
    let k = kinds::kind_named("rootcomponent").unwrap();
    let root = d.root().unwrap();
    let keys: Vec<_> = d.elements(root).map(|n| key_of(&d, n, k)).collect();
    assert_eq!(keys, vec!["1:account", "20:aa"]);
}

#[test]
fn natural_order() {
    assert_eq!(natural_cmp("9", "10"), Ordering::Less);
    assert_eq!(natural_cmp("1:b", "1:a"), Ordering::Greater);
    assert_eq!(natural_cmp("a2", "a02"), Ordering::Equal);
    assert_eq!(natural_cmp("1033", "1036"), Ordering::Less);
}

#[test]
fn xml_entries() {
    use PackageForm::*;
    assert!(is_xml_entry("customizations.xml", Zip));
    assert!(is_xml_entry(
        "WebResources/new_x.js.data.xml",
        PackagerFolder
    ));
    assert!(!is_xml_entry("WebResources/new_x.xml", PackagerFolder));
    assert!(!is_xml_entry("Workflows/a.json", Zip));
    assert!(is_xml_entry("whatever", XmlFile));
}

#[test]
fn child_identities() {
    let d = doc(
        "<form><tabs><tab id=\"{A}\"/><tab id=\"b\"/></tabs><rows><row/><row/><row><cell id=\"c1\"/></row></rows><x/></form>",
    );
    let c = Classifier::new(&d);
    let root = d.root().unwrap();
    let tabs = d.child(root, "tabs").unwrap();
    let ids: Vec<String> = c
        .children(tabs)
        .iter()
        .map(|ch| ch.ident.to_string())
        .collect();
    assert_eq!(ids, vec!["tab:a", "tab:b"]);
    let rows = d.child(root, "rows").unwrap();
    let ids: Vec<String> = c
        .children(rows)
        .iter()
        .map(|ch| ch.ident.to_string())
        .collect();
    assert_eq!(ids, vec!["row", "row[2]", "row{cell:c1}"]);
}

/// The identities of the element children of the first element named `parent`.
fn idents_under(d: &Document, parent: &str) -> Vec<String> {
    let c = Classifier::new(d);
    let node = (0..d.node_count() as u32)
        .map(NodeId)
        .find(|&n| d.is_element(n) && d.name(n) == parent)
        .unwrap();
    c.children(node)
        .iter()
        .map(|ch| ch.ident.to_string())
        .collect()
}

#[test]
fn fetch_conditions_are_keyed_by_what_they_test() {
    let d = doc(concat!(
        "<entity name=\"a\"><filter type=\"and\">",
        "<condition attribute=\"StateCode\" operator=\"eq\" value=\"0\" />",
        "<condition entityname=\"c\" attribute=\"x\" operator=\"not-null\" />",
        "<condition attribute=\"p\" operator=\"eq\" value=\"2\" />",
        "<condition attribute=\"p\" operator=\"eq\" value=\"3\" />",
        "<condition attribute=\"s\" operator=\"in\"><value>7</value><value>10</value></condition>",
        "<condition attribute=\"s\" operator=\"in\"><value>{AB}</value></condition>",
        "<filter><condition attribute=\"t\" operator=\"null\" /></filter>",
        "<filter type=\"or\" isquickfindfields=\"1\" />",
        "</filter></entity>"
    ));
    // A condition is known by column and operator; its values join the key only where another
    // condition of the filter tests the same column the same way.
    assert_eq!(
        idents_under(&d, "filter"),
        vec![
            "fetchcondition:statecode eq",
            "fetchcondition:c.x not-null",
            "fetchcondition:p eq 2",
            "fetchcondition:p eq 3",
            "fetchcondition:s in 7,10",
            "fetchcondition:s in ab",
            "fetchfilter:and",
            "fetchfilter:or quick find",
        ]
    );
    // The values of an `in` condition are a set of their own.
    let s_in = doc(
        "<filter><condition attribute=\"s\" operator=\"in\"><value>7</value><value>10</value></condition></filter>",
    );
    assert_eq!(
        idents_under(&s_in, "condition"),
        vec!["fetchvalue:7", "fetchvalue:10"]
    );
}

#[test]
fn ribbon_definitions_are_keyed_by_id() {
    let d = doc(concat!(
        "<RibbonDiffXml><CustomActions>",
        "<HideCustomAction HideActionId=\"new.Hide\" Location=\"Mscrm.Form.account.Share\" />",
        "<CustomAction Id=\"new.Approve.CustomAction\" Location=\"x\" />",
        "</CustomActions><CommandDefinitions><CommandDefinition Id=\"new.Approve.Command\">",
        "<EnableRules><EnableRule Id=\"new.IsActive\" /><EnableRule Id=\"Mscrm.AnySelection\" /></EnableRules>",
        "<DisplayRules><DisplayRule Id=\"new.Show\" /></DisplayRules>",
        "</CommandDefinition></CommandDefinitions><RuleDefinitions>",
        "<TabDisplayRules><TabDisplayRule TabCommand=\"new.Tab.Command\" /></TabDisplayRules>",
        "<DisplayRules><DisplayRule Id=\"new.Show\"><FormStateRule State=\"Create\" /></DisplayRule></DisplayRules>",
        "<EnableRules><EnableRule Id=\"new.IsActive\"><FormStateRule State=\"Existing\" /></EnableRule></EnableRules>",
        "</RuleDefinitions><LocLabels><LocLabel Id=\"new.Approve.LabelText\"><Titles>",
        "<Title description=\"Approve\" languagecode=\"1033\" /></Titles></LocLabel></LocLabels></RibbonDiffXml>"
    ));
    assert_eq!(
        idents_under(&d, "CustomActions"),
        vec![
            "hidecustomaction:new.hide",
            "customaction:new.approve.customaction"
        ]
    );
    assert_eq!(
        idents_under(&d, "CommandDefinitions"),
        vec!["ribboncommand:new.approve.command"]
    );
    // A command's rules are references, in the order they are evaluated; the rules
    // themselves are defined once, under RuleDefinitions.
    assert_eq!(
        idents_under(&d, "EnableRules"),
        vec![
            "commandenablerule:new.isactive",
            "commandenablerule:mscrm.anyselection"
        ]
    );
    assert_eq!(
        idents_under(&d, "RuleDefinitions"),
        vec!["TabDisplayRules", "DisplayRules", "EnableRules"]
    );
    assert_eq!(
        idents_under(&d, "TabDisplayRules"),
        vec!["tabdisplayrule:new.tab.command"]
    );
    assert_eq!(
        idents_under(&d, "LocLabels"),
        vec!["loclabel:new.approve.labeltext"]
    );
    assert_eq!(idents_under(&d, "Titles"), vec!["label:1033"]);
    let c = Classifier::new(&d);
    let defined: Vec<&str> = (0..d.node_count() as u32)
        .map(NodeId)
        .filter(|&n| d.is_element(n) && d.name(n).ends_with("Rule") && d.attr(n, "Id").is_some())
        .filter_map(|n| c.classify(n).map(|k| k.name))
        .collect();
    assert_eq!(
        defined,
        vec![
            "commandenablerule",
            "commandenablerule",
            "commanddisplayrule",
            "displayrule",
            "enablerule"
        ]
    );
}

#[test]
fn only_elements_named_as_a_parent_in_the_table_may_hold_kinds() {
    let d = doc(CUSTOMIZATIONS);
    let cls = Classifier::new(&d);
    let named = |name: &str| {
        (0..d.node_count() as u32)
            .map(NodeId)
            .find(|&n| d.is_element(n) && d.name(n) == name)
            .unwrap()
    };
    // `attributes/attribute`, `displaynames/displayname`, `entity/attribute` (fetch).
    for parent in ["attributes", "displaynames", "entity", "Entities"] {
        assert!(cls.may_hold_kinds(named(parent)), "{parent}");
    }
    for leaf in ["displayname", "savedqueryid", "fetch"] {
        assert!(!cls.may_hold_kinds(named(leaf)), "{leaf}");
    }
    // The element classifies the same either way.
    let attr = named("attribute");
    assert_eq!(cls.classify(attr).map(|k| k.name), Some("attribute"));
}

#[test]
fn key_hashes_meet_exactly_where_keys_do() {
    // Keys from attributes and from child elements, with case, braces, spaces and escapes
    // that normalize away, and one key that differs only past a field separator.
    let d = doc(concat!(
        "<ImportExportXml><Entities><Entity><EntityInfo><entity Name=\"a\"><attributes>",
        "<attribute PhysicalName=\"new_Score\"><displaynames>",
        "<displayname description=\"x\" languagecode=\"1033\" />",
        "<displayname description=\"y\" languagecode=\" 1033 \" />",
        "<displayname description=\"z\" languagecode=\"1036\" />",
        "</displaynames></attribute>",
        "<attribute PhysicalName=\"NEW_score\" /><attribute PhysicalName=\"new_sc&amp;ore\" />",
        "<attribute PhysicalName=\"new_other\" /><attribute><PhysicalName> new_Other </PhysicalName></attribute>",
        "</attributes></entity></EntityInfo></Entity></Entities>",
        "<RootComponents><RootComponent type=\"1\" schemaName=\"Account\" />",
        "<RootComponent type=\"1\" schemaName=\"ACCOUNT\" /><RootComponent type=\"20\" id=\"{AA}\" />",
        "</RootComponents></ImportExportXml>",
    ));
    let cls = Classifier::new(&d);
    let items: Vec<(NodeId, &'static KindDef)> = (0..d.node_count() as u32)
        .map(NodeId)
        .filter_map(|n| Some((n, cls.classify(n)?)))
        .collect();
    let kinds: Vec<&str> = items.iter().map(|(_, k)| k.name).collect();
    for kind in ["attribute", "label", "rootcomponent"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let mut meetings = 0;
    for (i, &(a, ka)) in items.iter().enumerate() {
        for &(b, kb) in &items[i + 1..] {
            if !std::ptr::eq(ka, kb) {
                continue;
            }
            let same_key = key_of(&d, a, ka) == key_of(&d, b, kb);
            let same_hash = cls.key_hash(a, ka) == cls.key_hash(b, kb);
            assert_eq!(same_key, same_hash, "{} {a:?} {b:?}", ka.name);
            meetings += usize::from(same_key);
        }
    }
    // new_Score/NEW_score, new_other twice, 1033 twice, Account/ACCOUNT.
    assert_eq!(meetings, 4);
}
