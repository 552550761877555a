use super::*;

#[test]
fn segments_keep_slashes_inside_keys() {
    assert_eq!(
        segments("webresource:new_/scripts/account.js"),
        ["webresource:new_/scripts/account.js"]
    );
    assert_eq!(
        segments("entity:account/form:1/x"),
        ["entity:account", "form:1/x"]
    );
    assert_eq!(
        segments("entity:account/ribbon"),
        ["entity:account", "ribbon"]
    );
}

#[test]
fn a_component_keyed_by_named_guids_is_named_by_them() {
    let mut names = FxHashMap::default();
    names.insert("1d516fba-70d2-ef11-8eea-000d3a3ae1bd", "Contributor");
    names.insert("16dbd24f-71d2-ef11-8eea-000d3a3ae1bd", "Contributed to");
    assert_eq!(
        named_ends(
            "connectionroleassociation:1d516fba-70d2-ef11-8eea-000d3a3ae1bd|16dbd24f-71d2-ef11-8eea-000d3a3ae1bd",
            &names
        )
        .as_deref(),
        Some("Contributor → Contributed to")
    );
    // One end unknown: no name rather than half of one.
    assert_eq!(
        named_ends(
            "connectionroleassociation:1d516fba-70d2-ef11-8eea-000d3a3ae1bd|07dd3ba9-71d2-ef11-8eea-000d3a3ae1bd",
            &names
        ),
        None
    );
}

#[test]
fn guids_in_property_paths_get_their_names() {
    let mut names = FxHashMap::default();
    names.insert("89f628bc-bb2a-ed11-9db1-002248274563", "Environmental user");
    assert_eq!(
        name_guids(
            "DisplayConditions / form role 89f628bc-bb2a-ed11-9db1-002248274563",
            &names
        ),
        "DisplayConditions / form role \"Environmental user\" (89f628bc-bb2a-ed11-9db1-002248274563)"
    );
    assert_eq!(
        name_guids(
            "app component {89F628BC-BB2A-ED11-9DB1-002248274563}",
            &names
        ),
        "app component \"Environmental user\" ({89F628BC-BB2A-ED11-9DB1-002248274563})"
    );
    let unknown = "tab d30d42d8-ac2e-4e0d-8efa-83f7be10eb43 / é";
    assert_eq!(name_guids(unknown, &names), unknown);
}
