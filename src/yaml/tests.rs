use super::*;

fn parse(text: &str) -> Document {
    Document::parse(text, "t.yml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn roundtrip(text: &str) {
    assert_eq!(parse(text).write(), text, "round trip of\n{text}");
}

fn refused(text: &str) -> YamlError {
    match Document::parse(text, "t.yml") {
        Ok(doc) => panic!("accepted {text:?} as {doc:?}"),
        Err(e) => e,
    }
}

/// The mapping under a key of the document's top mapping.
fn top<'d>(doc: &'d Document, key: &str) -> &'d Mapping {
    doc.mapping()
        .unwrap()
        .get(key)
        .unwrap()
        .as_mapping()
        .unwrap()
}

fn top_mut<'d>(doc: &'d mut Document, key: &str) -> &'d mut Mapping {
    doc.mapping_mut()
        .unwrap()
        .get_mut(key)
        .unwrap()
        .as_mapping_mut()
        .unwrap()
}

fn fixture(name: &str) -> String {
    let path = format!("{}/testdata/yaml/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn fixtures_round_trip_every_byte() {
    for name in ["attribute.yml", "systemform.yml", "rootcomponents.yml"] {
        let text = fixture(name);
        let doc = parse(&text);
        assert_eq!(doc.style, Style::DATAVERSE, "{name}");
        assert_eq!(doc.write(), text, "{name}");
    }
}

#[test]
fn values_are_text_as_written() {
    let doc = parse(&fixture("attribute.yml"));
    let attribute = top(&doc, "attribute");
    assert_eq!(attribute.text("IntroducedVersion"), Some("1.0.0.2"));
    assert_eq!(attribute.text("IsAuditEnabled"), Some("False"));
    assert_eq!(attribute.text("CanModifyAdditionalSettings"), Some("true"));
    assert_eq!(attribute.text("MinValue"), Some("-2147483648"));
    assert_eq!(attribute.text("Format"), Some("{SEQNUM:4}"));
    assert_eq!(attribute.text("@PhysicalName"), Some("new_Score"));
    // `key: ''` is the empty string, `key: ` a null: `<x></x>` against `<x />`.
    let empty = attribute
        .get("AutoNumberFormat")
        .unwrap()
        .as_scalar()
        .unwrap();
    assert!(!empty.is_null());
    assert_eq!(empty.text(), "");
    let null = attribute.get("LookupTypes").unwrap().as_scalar().unwrap();
    assert!(null.is_null());
    assert_ne!(empty, null);
    let keys: Vec<&str> = attribute
        .entries
        .iter()
        .map(|e| e.key.text())
        .take(3)
        .collect();
    assert_eq!(keys, ["@PhysicalName", "Type", "Name"]);
    let descriptions = attribute.get("Descriptions").unwrap().as_mapping().unwrap();
    let list = descriptions.list("Description");
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[1].as_mapping().unwrap().text("@description"),
        Some("Note d'appréciation")
    );
}

#[test]
fn the_collapse_reads_one_item_as_a_list_of_one() {
    let doc = parse(&fixture("systemform.yml"));
    let form = top(&doc, "systemform");
    let names = form.get("LocalizedNames").unwrap().as_mapping().unwrap();
    let list = names.list("LocalizedName");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].as_mapping().unwrap().text("#text"),
        Some("Score main")
    );
    assert!(names.list("Missing").is_empty());
    let text = form
        .get("Descriptions")
        .unwrap()
        .as_mapping()
        .unwrap()
        .list("Description")[0]
        .as_mapping()
        .unwrap()
        .text("@description")
        .unwrap()
        .to_string();
    assert_eq!(text, "A form for the score, written\nover two paragraphs.");
}

#[test]
fn a_list_grown_to_two_is_written_as_a_sequence_and_back_collapsed() {
    let one = "RootComponents:\r\n  RootComponent:\r\n    '@type': 1\r\n    '@schemaName': new_project\r\n    '@behavior': 0\r\n";
    let two = fixture("rootcomponents.yml");
    let mut doc = parse(one);
    let two_doc = parse(&two);
    let added = top(&two_doc, "RootComponents").list("RootComponent")[1].clone();
    let components = top_mut(&mut doc, "RootComponents");
    let mut items = components.list("RootComponent").to_vec();
    items.push(added);
    components.set_list("RootComponent", items);
    assert_eq!(doc.write(), two);
    // And back to one: the item alone, as Dataverse writes a single element.
    let components = top_mut(&mut doc, "RootComponents");
    let first = components.list("RootComponent")[..1].to_vec();
    components.set_list("RootComponent", first);
    assert_eq!(doc.write(), one);
    top_mut(&mut doc, "RootComponents").set_list("RootComponent", Vec::new());
    // No items left is no key; the mapping that held it is then empty.
    assert_eq!(doc.write(), "RootComponents: {}\r\n");
}

#[test]
fn round_trips_the_shapes_of_the_subset() {
    for text in [
        "",
        "a: b",
        "a: b\n",
        "a: \nb: ''\nc: 'it''s'\nd: \"tab\\there\"\n",
        "a:\n  b:\n  - c: 1\n    d:\n    - 2\n    - 3\n  - e\n  - \n",
        "a:\n- - x\n  - y\n- z\n",
        "- a: 1\n- b\n",
        "a: []\nb: {}\n",
        "\u{feff}a: b\r\n",
        "a:\n    b: 1\n    c:\n        - x\n        - y\n",
        "url: https://example.com/a?b=c#d\nbraced: '{x}'\nat: '@x'\nminus: -1\npercent: 100%\n",
        "text: |\n  line one\n\n    indented\n  end\nnext: x\n",
        "text: |-\n  no final break\nkeep: |+\n  two breaks\n\nempty: |-\nnext: x\n",
        "folded: >-\n  one\n  line\n\n  next paragraph\n   more indented\nnext: x\n",
        "quoted: 'over\n  two lines\n\n  and a paragraph'\nnext: x\n",
        "- |\n  item text\n- x\n",
        "key with spaces: value with spaces\n'#text': x\n\"odd\": y\n",
        "tab: a\tb\nquoted tab: 'a\t'\n\"\\x07\": \"\\x07\"\n",
    ] {
        roundtrip(text);
    }
}

#[test]
fn block_and_folded_scalars_read_as_yaml_reads_them() {
    let text = |src: &str, key: &str| parse(src).mapping().unwrap().text(key).unwrap().to_string();
    let src = "text: |\n  line one\n\n    indented\n  end\nnext: x\n";
    assert_eq!(text(src, "text"), "line one\n\n  indented\nend\n");
    let src = "text: |-\n  no final break\nkeep: |+\n  two breaks\n\nempty: |-\nnext: x\n";
    assert_eq!(text(src, "text"), "no final break");
    assert_eq!(text(src, "keep"), "two breaks\n\n");
    assert_eq!(text(src, "empty"), "");
    let src = "folded: >-\n  one\n  line\n\n  next paragraph\n   more indented\nnext: x\n";
    assert_eq!(
        text(src, "folded"),
        "one line\nnext paragraph\n more indented"
    );
    let src = "quoted: 'over\n  two lines\n\n  and a paragraph'\nnext: x\n";
    assert_eq!(text(src, "quoted"), "over two lines\nand a paragraph");
    assert_eq!(text("d: \"a\\x41\\u00e9\\n\"", "d"), "aAé\n");
}

#[test]
fn an_edited_value_keeps_its_style() {
    let mut doc = parse("a: 'x'\nb: plain\nc: >-\n  one\n  two\nd: \ne: |\n  old\n");
    let m = doc.mapping_mut().unwrap();
    for (key, text) in [
        ("a", "it's"),
        ("b", "other"),
        ("c", "first\nsecond"),
        ("d", "now set"),
        ("e", "new\ntext\n"),
    ] {
        let Node::Scalar(s) = m.get_mut(key).unwrap() else {
            panic!()
        };
        s.set_text(text);
    }
    assert_eq!(
        doc.write(),
        "a: 'it''s'\nb: other\nc: >-\n  first\n\n  second\nd: now set\ne: |\n  new\n  text\n"
    );
    // A plain value that can no longer be plain takes Dataverse's quotes.
    let mut doc = parse("a: x\n");
    let Node::Scalar(s) = doc.mapping_mut().unwrap().get_mut("a").unwrap() else {
        panic!()
    };
    s.set_text("{braced}: and more");
    assert_eq!(doc.write(), "a: '{braced}: and more'\n");
    // Every edit reads back as the text it was given.
    for text in [
        "",
        "x",
        "a\nb",
        "a\n\nb\n",
        "\nlead",
        " spaced \n line ",
        "tab\there",
        "q'\"",
        "a\n",
        "\n",
    ] {
        for style in [
            ScalarStyle::Plain,
            ScalarStyle::SingleQuoted,
            ScalarStyle::DoubleQuoted,
            ScalarStyle::Literal,
            ScalarStyle::Folded,
        ] {
            let mut m = Mapping::new();
            m.insert("k", Node::Scalar(Scalar::with_style(text, style)));
            m.insert("next", Node::Scalar(Scalar::new("x")));
            let written = Document::new(Node::Mapping(m.clone())).write();
            let back = parse(&written);
            assert_eq!(
                back.mapping().unwrap().text("k"),
                Some(text),
                "{style:?}: {written:?}"
            );
            assert_eq!(back.write(), written);
        }
    }
}

#[test]
fn a_tree_built_in_memory_is_written_in_dataverse_style() {
    let mut attribute = Mapping::new();
    attribute.insert("@PhysicalName", Node::Scalar(Scalar::new("new_Score")));
    attribute.insert("IntroducedVersion", Node::Scalar(Scalar::new("1.0")));
    attribute.insert("AutoNumberFormat", Node::Scalar(Scalar::new("")));
    attribute.insert("LookupTypes", Node::Scalar(Scalar::null()));
    let mut label = Mapping::new();
    label.insert("@description", Node::Scalar(Scalar::new("Score")));
    label.insert("@languagecode", Node::Scalar(Scalar::new("1033")));
    let mut labels = Mapping::new();
    labels.set_list(
        "displayname",
        vec![Node::Mapping(label.clone()), Node::Mapping(label)],
    );
    attribute.insert("displaynames", Node::Mapping(labels));
    let mut root = Mapping::new();
    root.insert("attribute", Node::Mapping(attribute));
    assert_eq!(
        Document::new(Node::Mapping(root)).write(),
        "attribute:\r\n  '@PhysicalName': new_Score\r\n  IntroducedVersion: 1.0\r\n  AutoNumberFormat: ''\r\n  LookupTypes: \r\n  displaynames:\r\n    displayname:\r\n    - '@description': Score\r\n      '@languagecode': 1033\r\n    - '@description': Score\r\n      '@languagecode': 1033\r\n"
    );
}

#[test]
fn spans_point_into_the_text_and_the_style_is_learnt() {
    let text = "a:\n    b: 'x y'\n    c:\n        - d\n    e: \n    f: |\n        z\n";
    let doc = parse(text);
    assert_eq!(doc.style.indent, 4);
    assert_eq!(doc.style.sequences, SequenceIndent::Indented);
    assert_eq!(doc.style.newline, Newline::Lf);
    let a = top(&doc, "a");
    let b = &a.entries[0];
    assert_eq!(&text[b.key.span().unwrap()], "b");
    assert_eq!(&text[b.value.span().unwrap()], "'x y'");
    assert_eq!(&text[a.get("c").unwrap().span().unwrap()], "- d");
    assert_eq!(a.get("e").unwrap().span().unwrap(), 42..42);
    assert_eq!(&text[a.get("f").unwrap().span().unwrap()], "|\n        z");
    assert_eq!(&text[a.span().unwrap()], &text[7..text.len() - 1]);
    assert!(!parse("a: b").style.final_newline);
}

#[test]
fn dataverse_style_choice() {
    use write::dataverse_style as style;
    for plain in [
        "1.0",
        "False",
        "-1",
        "1033",
        "/entities/x",
        "a|b",
        "(1.0.0.19)",
        "100%",
        "a'b",
    ] {
        assert_eq!(style(plain), ScalarStyle::Plain, "{plain}");
    }
    for quoted in [
        "",
        "@type",
        "#text",
        "{84e1c7a5-3d42-f011-b4cb-002248222778}",
        "a: b",
        "a #b",
        "- x",
        " x",
        "x:",
        "'",
    ] {
        assert_eq!(style(quoted), ScalarStyle::SingleQuoted, "{quoted}");
    }
    assert_eq!(style("two\nlines"), ScalarStyle::Folded);
    assert_eq!(style("tab\there"), ScalarStyle::Plain);
    assert_eq!(style("tab\t"), ScalarStyle::SingleQuoted);
    assert_eq!(style("bell\u{7}"), ScalarStyle::DoubleQuoted);
}

#[test]
fn comments_and_a_marker_at_the_top_are_kept_as_written() {
    // As a person or an assistant annotates a file Dataverse wrote.
    let text = "# filepath: c:\\src\\attribute.yml\r\n#\r\n---\r\nattribute:\r\n  '@PhysicalName': new_Score\r\n  Type: int\r\n";
    let doc = Document::parse(text, "attribute.yml").unwrap();
    assert_eq!(
        doc.style.header,
        "# filepath: c:\\src\\attribute.yml\r\n#\r\n---\r\n"
    );
    assert_eq!(doc.style.newline, Newline::CrLf);
    let attribute = doc.mapping().unwrap().get("attribute").unwrap();
    assert_eq!(
        attribute
            .as_mapping()
            .unwrap()
            .get("Type")
            .and_then(Node::as_scalar)
            .map(|s| s.text.as_str()),
        Some("int")
    );
    assert_eq!(doc.write(), text);
    // The same file without them reads as the same tree.
    let bare = Document::parse(&text[text.find("attribute:").unwrap()..], "attribute.yml").unwrap();
    assert_eq!(bare.root, doc.root);
    assert_eq!(bare.style.header, "");
}

#[test]
fn outside_the_subset_is_refused_with_its_place() {
    let cases: &[(&str, u32, u32, Unsupported)] = &[
        ("a: b # note\n", 1, 6, Unsupported::Comment),
        ("a: b\n# tail\n", 2, 1, Unsupported::Comment),
        (
            "# head\na:\n  # inside\n  b: c\n",
            3,
            3,
            Unsupported::Comment,
        ),
        ("a: b\n---\nc: d\n", 2, 1, Unsupported::DocumentMarker),
        ("--- a: b\n", 1, 1, Unsupported::DocumentMarker),
        ("a: &x b\n", 1, 4, Unsupported::AnchorOrAlias),
        ("a: *x\n", 1, 4, Unsupported::AnchorOrAlias),
        ("a: !!str b\n", 1, 4, Unsupported::Tag),
        ("a: [1, 2]\n", 1, 4, Unsupported::FlowCollection),
        ("a: {b: 1}\n", 1, 4, Unsupported::FlowCollection),
        ("a: b\n\nc: d\n", 2, 1, Unsupported::BlankLine),
        ("a: b \n", 1, 5, Unsupported::TrailingWhiteSpace),
        ("a:  \n", 1, 3, Unsupported::TrailingWhiteSpace),
        ("a:  b\n", 1, 4, Unsupported::ExtraSpace(":")),
        ("a: b\r\nc: d\n", 2, 5, Unsupported::MixedNewlines("CRLF")),
        ("a: b\nc: d\r\n", 2, 5, Unsupported::MixedNewlines("LF")),
        ("a: b\rc\n", 1, 5, Unsupported::BareCarriageReturn),
        ("a:\n\tb: c\n", 2, 1, Unsupported::Tab),
        ("a: b\n  c\n", 2, 3, Unsupported::MultiLinePlain),
        ("a:\n  b\n", 2, 3, Unsupported::MultiLinePlain),
        ("a: 'b\n", 1, 4, Unsupported::UnterminatedQuote),
        ("a: 'b' c\n", 1, 7, Unsupported::TextAfterQuote),
        ("a: \"b\n", 1, 4, Unsupported::MultiLineDoubleQuoted),
        ("a: \"\\q\"\n", 1, 5, Unsupported::BadEscape("q".into())),
        ("a: b: c\n", 1, 5, Unsupported::PlainIndicator(":")),
        ("a: b\na: c\n", 2, 1, Unsupported::DuplicateKey("a".into())),
        ("a: b\n- c\n", 2, 1, Unsupported::UnexpectedItem),
        ("just text\n", 1, 1, Unsupported::RootScalar),
        ("? a\n: b\n", 1, 1, Unsupported::ComplexKey),
        (
            "a:\n  b: 1\nc:\n    d: 1\n",
            4,
            5,
            Unsupported::Indentation {
                expected: 2,
                found: 4,
            },
        ),
        ("a:\n  b: 1\n   c: 1\n", 3, 4, Unsupported::MultiLinePlain),
        (
            "a:\n  b:\n    c: 1\n   d: 1\n",
            4,
            4,
            Unsupported::Indentation {
                expected: 2,
                found: 3,
            },
        ),
        (
            "a:\n- x\nb:\n  - y\n",
            4,
            3,
            Unsupported::SequenceIndentation {
                expected: "level with",
                found: "indented under",
            },
        ),
        ("a: |x\n  b\n", 1, 4, Unsupported::BlockHeader("|x".into())),
    ];
    let net = refused("a: x\u{85}y\n");
    assert_eq!(
        (net.found, net.line, net.column),
        (Unsupported::NotWrittenBack, 1, 4)
    );
    for (text, line, column, found) in cases {
        let e = refused(text);
        assert_eq!(
            (&e.found, e.line, e.column),
            (found, *line, *column),
            "{text:?}: {e}"
        );
        assert_eq!(e.file, "t.yml");
    }
    let e = refused("a:\n  b: c # note\n");
    assert_eq!(e.to_string(), "t.yml:2:8: a comment");
}

mod generated {
    //! Trees built at random, in every style: written, they read back as the same tree and
    //! write the same bytes again, and an independent YAML reader (yaml-rust2, a test-only
    //! dependency) reads every written value as the same text.
    use super::super::*;
    use proptest::prelude::*;
    use yaml_rust2::{Yaml, YamlLoader};

    fn config() -> proptest::test_runner::Config {
        use proptest::test_runner::{Config, RngSeed};
        let seed = std::env::var("SOLTREE_PROPTEST_SEED")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0x5017_7EE5);
        Config {
            cases: 256,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed),
            ..Config::default()
        }
    }

    fn scalar() -> impl Strategy<Value = Scalar> {
        let style = prop_oneof![
            Just(None),
            Just(Some(ScalarStyle::Plain)),
            Just(Some(ScalarStyle::SingleQuoted)),
            Just(Some(ScalarStyle::DoubleQuoted)),
            Just(Some(ScalarStyle::Literal)),
            Just(Some(ScalarStyle::Folded)),
        ];
        (
            "[a-z0-9 :#'\"{}@.\\-\\n\\t]{0,14}",
            style,
            prop::bool::weighted(0.1),
        )
            .prop_map(|(text, style, null)| match (null, style) {
                (true, _) => Scalar::null(),
                (false, None) => Scalar::new(text),
                (false, Some(style)) => Scalar::with_style(text, style),
            })
    }

    fn node() -> impl Strategy<Value = Node> {
        scalar()
            .prop_map(Node::Scalar)
            .prop_recursive(4, 40, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4)
                        .prop_map(|items| Node::Sequence(Sequence::new(items))),
                    prop::collection::vec(("[a-zA-Z@#' :]{0,6}", inner), 0..4).prop_map(
                        |entries| {
                            let mut m = Mapping::new();
                            for (key, value) in entries {
                                m.insert(&key, value);
                            }
                            Node::Mapping(m)
                        }
                    ),
                ]
            })
    }

    fn style() -> impl Strategy<Value = Style> {
        (
            prop::bool::ANY,
            prop::bool::ANY,
            prop::bool::ANY,
            prop_oneof![Just(2usize), Just(4)],
            prop::bool::ANY,
            0usize..3,
            0usize..3,
        )
            .prop_map(
                |(crlf, final_newline, bom, indent, indented, blank, header)| Style {
                    header: ["", "# note\n", "# a: b\n---\n"][header]
                        .replace('\n', if crlf { "\r\n" } else { "\n" }),
                    newline: if crlf { Newline::CrLf } else { Newline::Lf },
                    final_newline,
                    // Empty lines at the end follow a final line break.
                    blank_lines_at_end: if final_newline { blank } else { 0 },
                    bom,
                    indent,
                    sequences: if indented {
                        SequenceIndent::Indented
                    } else {
                        SequenceIndent::SameAsKey
                    },
                },
            )
    }

    /// The values of a tree in document order, against the other reader's.
    fn values<'a>(node: &'a Node, out: &mut Vec<&'a Scalar>) {
        match node {
            Node::Scalar(s) => out.push(s),
            Node::Sequence(s) => s.items.iter().for_each(|n| values(n, out)),
            Node::Mapping(m) => m.entries.iter().for_each(|e| values(&e.value, out)),
        }
    }

    fn oracle_values(yaml: &Yaml, out: &mut Vec<Yaml>) {
        match yaml {
            Yaml::Array(items) => items.iter().for_each(|y| oracle_values(y, out)),
            Yaml::Hash(map) => map.values().for_each(|y| oracle_values(y, out)),
            other => out.push(other.clone()),
        }
    }

    proptest! {
        #![proptest_config(config())]
        #[test]
        fn written_trees_read_back(
            entries in prop::collection::vec(("[a-zA-Z@#' ]{1,6}", node()), 1..5),
            style in style(),
        ) {
            let mut root = Mapping::new();
            for (key, value) in entries {
                root.insert(&key, value);
            }
            let doc = Document { root: Some(Node::Mapping(root)), style };
            let written = doc.write();
            let back = Document::parse(&written, "generated.yml")
                .map_err(|e| TestCaseError::fail(format!("{e}\n{written}")))?;
            prop_assert_eq!(&back.root, &doc.root, "{}", written);
            prop_assert_eq!(back.write(), written.clone());

            let loaded = YamlLoader::load_from_str(written.trim_start_matches('\u{feff}'))
                .map_err(|e| TestCaseError::fail(format!("{e}\n{written}")))?;
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            values(doc.root.as_ref().unwrap(), &mut ours);
            oracle_values(&loaded[0], &mut theirs);
            // Empty collections are values to the other reader, not to this walk.
            theirs.retain(|y| !matches!(y, Yaml::Array(_) | Yaml::Hash(_)));
            let ours: Vec<&Scalar> = ours.into_iter().collect();
            prop_assert_eq!(ours.len(), theirs.len(), "{}", written);
            for (mine, other) in ours.iter().zip(&theirs) {
                match other {
                    Yaml::String(s) => prop_assert_eq!(mine.text(), s.as_str(), "{}", written),
                    Yaml::Null => prop_assert!(mine.is_null() || mine.text() == "null" || mine.text() == "~"),
                    // A reader that types plain values: only its typing differs.
                    _ => prop_assert_eq!(mine.style(), ScalarStyle::Plain),
                }
            }
        }

        /// Text made of YAML-looking lines, in any mix: the reader never panics, and what
        /// it accepts writes back as it was.
        #[test]
        fn any_text_is_read_or_refused(
            lines in prop::collection::vec(
                "[ ]{0,6}(- )?[a-z'\"@#|>:{}\\[\\]&*!?%,. \t-]{0,10}(: ?)?[a-z'\"|>+ -]{0,6}",
                0..12,
            ),
            crlf in prop::bool::ANY,
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            if let Ok(doc) = Document::parse(&text, "any.yml") {
                prop_assert_eq!(doc.write(), text);
            }
        }
    }
}

#[test]
fn empty_lines_at_the_end_are_layout_unless_a_kept_block_holds_them() {
    let text = "attribute:\n  Type: nvarchar\n\n";
    let doc = Document::parse(text, "t.yml").unwrap();
    assert_eq!(doc.style.blank_lines_at_end, 1);
    assert_eq!(doc.write(), text);
    let kept = "a: |+\n  x\n\n";
    let doc = Document::parse(kept, "t.yml").unwrap();
    assert_eq!(doc.style.blank_lines_at_end, 0);
    assert_eq!(doc.write(), kept);
}
