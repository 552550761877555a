use super::*;
use crate::input::TextEncoding;

fn roundtrip(s: &str) -> String {
    let doc = Document::parse(s.to_string(), "t.xml").expect("parses");
    let mut out = Vec::new();
    doc.write_to(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn round_trips_every_byte() {
    let cases = [
        "<a/>",
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<a x='1'  y=\"2\" >\r\n  <b />\r\n  <c></c>\r\n  <!-- note -->\r\n  <d>t &amp; &#x41; <![CDATA[<raw>]]></d>\r\n</a>",
        "<a>\n\n  <b>x</b>\n</a>\n\n",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE a>\n<a><?pi data?></a><!-- trailing -->",
        "<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><x xsi:nil=\"true\"></x></ImportExportXml>",
        "<a b=\"&lt;&quot;&gt;\" c='it&apos;s'>&lt;tag&gt;</a>",
    ];
    for c in cases {
        assert_eq!(roundtrip(c), c);
    }
}

#[test]
fn structure_and_values() {
    let doc = Document::parse(
        "<r><e Name=\"a&amp;b\"><v>1 &lt; 2</v><w><![CDATA[x<y]]></w></e></r>".into(),
        "t",
    )
    .unwrap();
    let r = doc.root().unwrap();
    assert_eq!(doc.name(r), "r");
    let e = doc.child(r, "e").unwrap();
    assert_eq!(doc.attr(e, "Name").unwrap(), "a&b");
    assert_eq!(doc.attr_raw(e, "Name").unwrap(), "a&amp;b");
    assert_eq!(doc.child_text(e, "v").unwrap(), "1 < 2");
    assert_eq!(doc.child_text(e, "w").unwrap(), "x<y");
    assert_eq!(doc.parent(e), Some(r));
    assert!(doc.attr(e, "missing").is_none());
}

#[test]
fn hash_ignores_formatting_but_not_content_or_order() {
    let h = |s: &str| {
        let d = Document::parse(s.to_string(), "t").unwrap();
        d.hash(d.root().unwrap())
    };
    let a = h("<a x=\"1\" y=\"2\">\n  <b>v</b>\n  <c/>\n</a>");
    assert_eq!(a, h("<a y='2' x='1'><b>v</b><c></c></a>"));
    assert_eq!(
        a,
        h("<a x=\"1\" y=\"2\">\r\n    <b>v</b>\r\n    <c />\r\n</a>")
    );
    assert_eq!(a, h("<a x=\"1\" y=\"2\"><!-- c --><b>v</b><c/></a>"));
    assert_ne!(a, h("<a x=\"1\" y=\"3\"><b>v</b><c/></a>"));
    assert_ne!(a, h("<a x=\"1\" y=\"2\"><b>w</b><c/></a>"));
    assert_ne!(a, h("<a x=\"1\" y=\"2\"><c/><b>v</b></a>"));
    assert_ne!(h("<a><b> </b></a>"), h("<a><b></b></a>"));
    assert_eq!(h("<a><b>x&amp;y</b></a>"), h("<a><b>x&#38;y</b></a>"));
}

#[test]
fn reorder_keeps_gaps_in_place() {
    struct Rev;
    impl Reorder for Rev {
        fn reorder(&self, doc: &Document, parent: NodeId) -> Option<Vec<NodeId>> {
            (doc.name(parent) == "list").then(|| {
                let mut v: Vec<_> = doc.children(parent).collect();
                v.reverse();
                v
            })
        }
    }
    let doc = Document::parse(
        "<list>\r\n  <i n=\"1\"/>\r\n  <i n=\"2\">x</i>\r\n</list>".into(),
        "t",
    )
    .unwrap();
    let mut out = Vec::new();
    doc.write_reordered(&mut out, &Rev);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<list>\r\n  <i n=\"2\">x</i>\r\n  <i n=\"1\"/>\r\n</list>"
    );
}

#[test]
fn malformed_input_is_located() {
    let e = Document::parse("<a>\n  <b>\n</a>".into(), "customizations.xml").unwrap_err();
    assert_eq!(e.entry, "customizations.xml");
    assert_eq!(e.line, 3, "{e}");
    let e = Document::parse("<a>\n<b x=\"1\"></b>\n  <c>".into(), "f.xml").unwrap_err();
    assert!(e.message.contains("not closed"), "{e}");
    assert_eq!((e.line, e.column), (3, 6), "{e}");
    assert!(Document::parse("<a/><b/>".into(), "t").is_err());
    assert!(Document::parse("text<a/>".into(), "t").is_err());
    assert!(Document::parse("".into(), "t").is_err());
    let e = Document::parse("<a>&nbsp;</a>".into(), "t").unwrap_err();
    assert!(e.message.contains("undefined entity"), "{e}");
}

#[test]
fn entity_expansion_bomb_is_refused() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>";
    let e = Document::parse(bomb.into(), "bomb.xml").unwrap_err();
    assert!(e.message.contains("entity"), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn depth_is_limited() {
    let deep = "<a>".repeat(50) + &"</a>".repeat(50);
    let limits = ParseLimits { max_depth: 10 };
    assert!(Document::parse_with(deep.clone(), "t", &limits).is_err());
    assert!(Document::parse(deep, "t").is_ok());
}

#[test]
fn newline_style_and_indentation() {
    let d = Document::parse("<a>\r\n    <b/>\r\n</a>".into(), "t").unwrap();
    assert_eq!(d.newline_style(), NewlineStyle::CrLf);
    let b = d.child(d.root().unwrap(), "b").unwrap();
    assert_eq!(d.indentation(b), Some("    "));
    assert!(d.is_self_closing(b));
}

#[test]
fn characters_xml_forbids_are_refused_where_they_are() {
    let err = |s: &str| Document::parse(s.into(), "f.xml").unwrap_err();
    let e = err("<a>\n  <b>x\0y</b>\n</a>");
    assert_eq!((e.line, e.column), (2, 7), "{e}");
    assert!(e.message.contains("U+0000"), "{e}");
    let e = err("<a x=\"\u{1}\"/>");
    assert_eq!((e.line, e.column), (1, 7), "{e}");
    assert!(e.message.contains("U+0001"), "{e}");
    assert!(err("<a>\u{FFFF}</a>").message.contains("U+FFFF"));
    // A character reference to one is refused too; tab, LF and CR are fine either way.
    assert!(err("<a>&#1;</a>").message.contains("character reference"));
    assert!(err("<a>&#x0;</a>").message.contains("character reference"));
    assert!(Document::parse("<a>\t&#9;&#xA;&#13;\r\n</a>".into(), "t").is_ok());
    // A long clean prefix before the bad byte: found in a later block, located exactly.
    let long = format!("<a>{}\u{7}</a>", "x".repeat(1000));
    assert_eq!(err(&long).column, 1004);
}

#[test]
fn a_second_byte_order_mark_is_refused() {
    let e = Document::parse("\u{feff}\u{feff}<a/>".into(), "f.xml").unwrap_err();
    assert!(e.message.contains("byte-order mark"), "{e}");
    assert!(Document::parse("\u{feff}<a/>".into(), "f.xml").is_ok());
}

#[test]
fn the_declared_encoding_must_be_the_stored_one() {
    let decl = |enc: &str, body: &str| {
        format!("<?xml version=\"1.0\" encoding=\"{enc}\"?>\n<a>{body}</a>")
    };
    let utf16 = TextEncoding::Utf16 {
        little_endian: true,
    };
    let e = Document::parse(decl("utf-16", ""), "f.xml").unwrap_err();
    assert!(e.message.contains("stored as UTF-8"), "{e}");
    assert_eq!((e.line, e.column), (1, 1));
    // With a UTF-8 BOM, the same.
    assert!(Document::parse(format!("\u{feff}{}", decl("UTF-16", "")), "f").is_err());
    assert!(Document::parse_stored(decl("utf-16", ""), "f", utf16).is_ok());
    let e = Document::parse_stored(decl("utf-8", ""), "f", utf16).unwrap_err();
    assert!(e.message.contains("stored as UTF-16"), "{e}");
    assert!(Document::parse(decl("UTF-8", "é"), "f").is_ok());
    // An encoding that agrees with ASCII, on ASCII text: the same bytes.
    assert!(Document::parse(decl("iso-8859-1", "abc"), "f").is_ok());
    let e = Document::parse(decl("windows-1252", "é"), "f").unwrap_err();
    assert!(e.message.contains("does not read"), "{e}");
}

#[test]
fn the_declared_encoding_is_found_for_rewriting() {
    let text = "\u{feff}<?xml version='1.0' encoding = 'utf-16' ?><a/>";
    let span = declared_encoding_span(text).unwrap();
    assert_eq!(&text[span], "utf-16");
    assert_eq!(declared_encoding_span("<?xml version=\"1.0\"?><a/>"), None);
    assert_eq!(declared_encoding_span("<a/>"), None);
    assert_eq!(
        declared_encoding_span("<?xml-stylesheet encoding=\"x\"?><a/>"),
        None
    );
}

#[test]
fn references_in_attribute_values_are_checked_too() {
    let err = |s: &str| Document::parse(s.into(), "f.xml").unwrap_err();
    let e = err("<a>\n  <b x=\"&#8;\"/>\n</a>");
    assert_eq!((e.line, e.column), (2, 9), "{e}");
    assert!(e.message.contains("&#8;"), "{e}");
    assert!(err("<a x=\"&#xFFFE;\"/>").message.contains("reference"));
    assert!(err("<a x=\"&nbsp;\"/>").message.contains("reference"));
    assert!(err("<a x=\"a & b\"/>").message.contains("`&`"));
    assert!(
        Document::parse(
            "<a x=\"&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#9;\"/>".into(),
            "t"
        )
        .is_ok()
    );
}

#[test]
fn the_declaration_comes_first() {
    let e = Document::parse("\t<?xml version=\"1.0\"?><a/>".into(), "f.xml").unwrap_err();
    assert!(e.message.contains("very start"), "{e}");
    assert_eq!((e.line, e.column), (1, 2));
    assert!(Document::parse("\u{feff}<?xml version=\"1.0\"?>\n<a/>".into(), "f.xml").is_ok());
}

#[test]
fn names_are_xml_names() {
    let e = Document::parse("<a>\n  <attri&#0;bute />\n</a>".into(), "f.xml").unwrap_err();
    assert!(e.message.contains("not an XML name"), "{e}");
    assert_eq!((e.line, e.column), (2, 3));
    assert!(Document::parse("<a 1x=\"1\"/>".into(), "t").is_err());
    assert!(Document::parse("<xsi:a xmlns:xsi=\"u\" _b.c-d=\"1\" é=\"2\"/>".into(), "t").is_ok());
}

#[test]
fn descendants_are_a_run_of_ids_and_attributes_find_their_elements() {
    let d = Document::parse(
        "<a><b x=\"1\"><!-- c --><c x=\"2\" y=\"3\"/></b><d y=\"4\"/><e x=\"5\"/></a>".into(),
        "t.xml",
    )
    .unwrap();
    let root = d.root().unwrap();
    let name = |n: NodeId| d.name(n).to_string();
    let b = d.elements(root).next().unwrap();
    let inside: Vec<NodeKind> = d.descendant_ids(b).map(|n| d.kind(n)).collect();
    assert_eq!(inside, vec![NodeKind::Comment, NodeKind::Element]);
    let all: Vec<String> = d
        .descendant_ids(root)
        .filter(|&n| d.is_element(n))
        .map(name)
        .collect();
    assert_eq!(all, vec!["b", "c", "d", "e"]);
    let x = d.symbol("x").unwrap();
    let with_x: Vec<String> = d.elements_with_attr(x).into_iter().map(name).collect();
    assert_eq!(with_x, vec!["b", "c", "e"]);
    let y = d.symbol("y").unwrap();
    let with_y: Vec<String> = d.elements_with_attr(y).into_iter().map(name).collect();
    assert_eq!(with_y, vec!["c", "d"]);
}

#[test]
fn reindenting_moves_the_layout_and_leaves_text_cdata_and_mixed_content() {
    let text = "<r>\r\n  <list>\r\n    <item a=\"1\">\r\n      <v>x</v>\r\n      <s><![CDATA[line 1\r\n  line 2]]></s>\r\n      <m>mixed <b>bold</b>\r\n  text</m>\r\n\r\n      <e />\r\n    </item>\r\n  </list>\r\n</r>";
    let d = Document::parse(text.into(), "t.xml").unwrap();
    let list = d.elements(d.root().unwrap()).next().unwrap();
    let item = d.elements(list).next().unwrap();
    let none = |_: NodeId| None;
    let out = d.reindented(item, -4, &none);
    assert_eq!(
        out,
        "<item a=\"1\">\r\n  <v>x</v>\r\n  <s><![CDATA[line 1\r\n  line 2]]></s>\r\n  <m>mixed <b>bold</b>\r\n  text</m>\r\n\r\n  <e />\r\n</item>"
    );
    // Moving back is exact.
    let back = Document::parse(out.clone(), "t.xml").unwrap();
    let again = back.reindented(back.root().unwrap(), 4, &none);
    assert_eq!(
        again,
        &text[text.find("<item").unwrap()..text.find("\r\n  </list>").unwrap()]
    );
    // A replaced node is written as given.
    let v = d.elements(item).next().unwrap();
    let replaced = d.reindented(item, -4, &|n| (n == v).then(|| "<v />".to_string()));
    assert!(
        replaced.starts_with("<item a=\"1\">\r\n  <v />\r\n  <s>"),
        "{replaced}"
    );
}

#[test]
fn reindenting_gives_a_line_indented_too_little_the_indentation_of_its_depth() {
    // A hand-formatted fetch inside a view, less indented than the view.
    let text = "<a>\n        <view>\n          <fetch>\n    <entity>\n        <attribute />\n    </entity>\n          </fetch>\n        </view>\n</a>";
    let d = Document::parse(text.into(), "t.xml").unwrap();
    let view = d.elements(d.root().unwrap()).next().unwrap();
    let out = d.reindented(view, -6, &|_| None);
    assert_eq!(
        out,
        "<view>\n    <fetch>\n      <entity>\n        <attribute />\n      </entity>\n    </fetch>\n  </view>"
    );
}

#[test]
fn reindenting_takes_a_lone_carriage_return_for_a_line_break() {
    let text = "<a>\r    <b>\r      <c />\r    </b>\r</a>";
    let d = Document::parse(text.into(), "t.xml").unwrap();
    let b = d.elements(d.root().unwrap()).next().unwrap();
    assert_eq!(d.indentation(b), Some("    "));
    assert_eq!(d.reindented(b, -4, &|_| None), "<b>\r  <c />\r</b>");
}
