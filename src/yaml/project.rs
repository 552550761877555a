//! The XML ↔ YAML projection of Dataverse's Git integration: the same element tree written
//! as YAML by Json.NET's XML-to-JSON rules (`yaml-format.md`, "How XML maps to YAML").
//!
//! The boundary types are the two layers' documents: [`to_xml`] turns a YAML
//! [`Document`](super::Document) into XML text (which the XML layer then parses like any
//! other entry), and [`from_xml`] turns an [`xml::Document`](crate::xml::Document) into a
//! YAML document in Dataverse's style. Attributes are `'@name'` keys, first and in document
//! order; an element with text only is a scalar (`x: ` for `<x />`, `x: ''` for `<x></x>`);
//! text beside attributes or children is `'#text'`; same-named children are a sequence
//! under their name, and one child is written collapsed, as the item itself.
//!
//! What the projection cannot keep, neither can Dataverse's: the order between differently
//! named siblings (they are grouped by name, at the first one's place), white space between
//! elements, and the way an XML file escaped a character. [`to_xml`] writes those the way
//! SolutionPackager does ([`XmlStyle`]), so XML whose siblings are already grouped comes back
//! byte for byte.

use super::{Document, Mapping, Node, Scalar};
use crate::xml::{self, NodeId, NodeKind};
use std::fmt::Write as _;

/// Why a document cannot be projected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("{file}: the YAML does not hold one root element (found {found} top-level keys)")]
    NotOneRoot { file: String, found: usize },
    #[error("{file}: `{key}` is a sequence inside a sequence, which no XML element projects to")]
    NestedSequence { file: String, key: String },
    #[error("{file}: `{key}` is not a name an XML element or attribute can have")]
    BadName { file: String, key: String },
    #[error("{file}: the attribute `{key}` holds a mapping or a sequence, not a value")]
    AttributeNotText { file: String, key: String },
    #[error(
        "{file}: the XML holds {what} inside its root element, which the YAML layout cannot hold"
    )]
    Unprojectable { file: String, what: &'static str },
    #[error("{file}: the XML has no root element")]
    NoRoot { file: String },
    #[error("{file}: the projected XML does not parse: {error}")]
    NotXml { file: String, error: String },
}

/// How XML text is written from YAML. The YAML does not say, so the default is
/// SolutionPackager's: a UTF-8 byte order mark, the declaration, CRLF, two spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlStyle {
    pub bom: bool,
    /// The declaration line, if any (`<?xml version="1.0" encoding="utf-8"?>`).
    pub declaration: Option<String>,
    pub newline: &'static str,
    pub indent: usize,
    /// Whether the last line ends with a line break.
    pub final_newline: bool,
    /// Write a carriage return in text as `&#xD;`, not raw: a text that holds CRLF keeps it
    /// through steps that give a document one newline style (a merge's), which a raw CR
    /// would not survive. Exports write it raw.
    pub escape_cr: bool,
}

impl Default for XmlStyle {
    fn default() -> XmlStyle {
        XmlStyle {
            bom: true,
            declaration: Some(r#"<?xml version="1.0" encoding="utf-8"?>"#.to_string()),
            newline: "\r\n",
            indent: 2,
            final_newline: false,
            escape_cr: false,
        }
    }
}

impl XmlStyle {
    /// The style of an existing XML text (to write a projection back the way it was).
    pub fn of(text: &str) -> XmlStyle {
        let bom = text.starts_with('\u{feff}');
        let body = text.trim_start_matches('\u{feff}');
        let declaration = body
            .starts_with("<?xml")
            .then(|| body.find("?>").map(|end| body[..end + 2].to_string()))
            .flatten();
        // A file on one line (`[Content_Types].xml`) has no line breaks to keep.
        let newline = if body.contains("\r\n") {
            "\r\n"
        } else if body.contains('\n') {
            "\n"
        } else {
            ""
        };
        // The indentation of the first indented line.
        let indent = body
            .lines()
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .find(|&n| n > 0)
            .unwrap_or(if newline.is_empty() { 0 } else { 2 });
        XmlStyle {
            bom,
            declaration,
            newline,
            indent,
            final_newline: body.ends_with('\n'),
            escape_cr: false,
        }
    }
}

/// The XML text a YAML component file projects to (`file` names it in errors).
pub fn to_xml(doc: &Document, file: &str, style: &XmlStyle) -> Result<String, ProjectionError> {
    to_xml_placed(doc, file, style).map(|(xml, _)| xml)
}

/// [`to_xml`], with where each element comes from: pairs of the offset of its start tag in
/// the XML and the offset in the YAML of the key (or the sequence item) that wrote it, in
/// the order of the XML (so that a report on the XML can point into the YAML file).
pub fn to_xml_placed(
    doc: &Document,
    file: &str,
    style: &XmlStyle,
) -> Result<(String, Vec<(usize, usize)>), ProjectionError> {
    let root = doc.mapping().map(|m| &m.entries[..]).unwrap_or(&[]);
    let elements: Vec<_> = root.iter().filter(|e| e.key.text() != "?xml").collect();
    let [root] = elements[..] else {
        return Err(ProjectionError::NotOneRoot {
            file: file.to_string(),
            found: elements.len(),
        });
    };
    let mut out = String::new();
    if style.bom {
        out.push('\u{feff}');
    }
    if let Some(decl) = &style.declaration {
        out.push_str(decl);
        out.push_str(style.newline);
    }
    let mut writer = XmlWriter {
        file,
        style,
        origins: Vec::new(),
    };
    let origin = root.key.span().map(|s| s.start);
    writer.element(&mut out, root.key.text(), &root.value, 0, origin)?;
    if style.final_newline {
        out.push_str(style.newline);
    }
    Ok((out, writer.origins))
}

struct XmlWriter<'a> {
    file: &'a str,
    style: &'a XmlStyle,
    /// (offset in the XML, offset in the YAML) of each element written, see [`to_xml_placed`].
    origins: Vec<(usize, usize)>,
}

impl XmlWriter<'_> {
    fn name<'k>(&self, key: &'k str) -> Result<&'k str, ProjectionError> {
        let ok = key
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        ok.then_some(key).ok_or_else(|| ProjectionError::BadName {
            file: self.file.to_string(),
            key: key.to_string(),
        })
    }

    fn text<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let escaped = escape_text(text);
        if self.style.escape_cr && escaped.contains('\r') {
            escaped.replace('\r', "&#xD;").into()
        } else {
            escaped
        }
    }

    fn indent(&self, out: &mut String, depth: usize) {
        out.push_str(self.style.newline);
        out.extend(std::iter::repeat_n(' ', depth * self.style.indent));
    }

    /// One element `name` whose projection is `node`, its start tag at the current place;
    /// `origin` is where it is written in the YAML, when it was read from a file.
    fn element(
        &mut self,
        out: &mut String,
        name: &str,
        node: &Node,
        depth: usize,
        origin: Option<usize>,
    ) -> Result<(), ProjectionError> {
        let name = self.name(name)?;
        if let Some(origin) = origin {
            self.origins.push((out.len(), origin));
        }
        match node {
            Node::Scalar(s) if s.is_null() => {
                let _ = write!(out, "<{name} />");
            }
            Node::Scalar(s) => {
                let _ = write!(out, "<{name}>{}</{name}>", self.text(s.text()));
            }
            Node::Sequence(_) => {
                return Err(ProjectionError::NestedSequence {
                    file: self.file.to_string(),
                    key: name.to_string(),
                });
            }
            Node::Mapping(m) => self.mapping_element(out, name, m, depth)?,
        }
        Ok(())
    }

    fn mapping_element(
        &mut self,
        out: &mut String,
        name: &str,
        m: &Mapping,
        depth: usize,
    ) -> Result<(), ProjectionError> {
        let _ = write!(out, "<{name}");
        let mut text = None;
        let mut children = Vec::new();
        for e in &m.entries {
            let key = e.key.text();
            if let Some(attr) = key.strip_prefix('@') {
                let attr = self.name(attr)?;
                let Node::Scalar(v) = &e.value else {
                    return Err(ProjectionError::AttributeNotText {
                        file: self.file.to_string(),
                        key: key.to_string(),
                    });
                };
                let _ = write!(out, " {attr}=\"{}\"", escape_attr(v.text()));
            } else if key == "#text" {
                text = e.value.as_scalar().map(Scalar::text);
            } else {
                children.push(e);
            }
        }
        if children.is_empty() {
            match text {
                Some(t) => {
                    let _ = write!(out, ">{}</{name}>", self.text(t));
                }
                None if written_as_pair(name, m) => {
                    let _ = write!(out, "></{name}>");
                }
                None => out.push_str(" />"),
            }
            return Ok(());
        }
        out.push('>');
        if let Some(t) = text {
            out.push_str(&self.text(t));
        }
        for e in children {
            let key = e.key.text();
            let listed = matches!(e.value, Node::Sequence(_));
            for item in e.value.as_list() {
                // An item is placed at its `- `'s content, a single value at its key.
                let origin = if listed { item.span() } else { e.key.span() }.map(|s| s.start);
                self.indent(out, depth + 1);
                match key {
                    "#comment" => {
                        let _ = write!(out, "<!--{}-->", item.as_scalar().map_or("", Scalar::text));
                    }
                    "#cdata-section" => {
                        let _ = write!(
                            out,
                            "<![CDATA[{}]]>",
                            item.as_scalar().map_or("", Scalar::text)
                        );
                    }
                    _ => {
                        if let Node::Sequence(_) = item {
                            return Err(ProjectionError::NestedSequence {
                                file: self.file.to_string(),
                                key: key.to_string(),
                            });
                        }
                        self.element(out, key, item, depth + 1, origin)?;
                    }
                }
            }
        }
        self.indent(out, depth);
        let _ = write!(out, "</{name}>");
        Ok(())
    }
}

/// Whether an element with attributes and nothing inside is written `<x …></x>`: Dataverse
/// writes a nil value so (`<EMailAddress xsi:nil="true"></EMailAddress>`), and a ribbon's
/// empty template list; every other such element is written `<x … />` (the corpus's
/// exports, counted element by element).
fn written_as_pair(name: &str, m: &Mapping) -> bool {
    name == "RibbonTemplates" || m.get("@xsi:nil").is_some()
}

/// Element text escaped the way .NET's XmlWriter (and so Dataverse and SolutionPackager)
/// writes it: unlike [`xml::escape_text`] (quick-xml's), a carriage return stays raw.
fn escape_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// An attribute value escaped for double quotes, as .NET's XmlWriter writes it.
fn escape_attr(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\r', '\n', '\t']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// The YAML document an XML document projects to, in Dataverse's style.
pub fn from_xml(doc: &xml::Document, file: &str) -> Result<Document, ProjectionError> {
    let root = doc.root().ok_or_else(|| ProjectionError::NoRoot {
        file: file.to_string(),
    })?;
    let node = project_element(doc, root, file)?;
    let mut top = Mapping::new();
    top.entries.push(super::Entry {
        key: Scalar::new(doc.name(root)),
        value: node,
    });
    Ok(Document::new(Node::Mapping(top)))
}

/// The YAML text, in `style`, that the XML text `xml` projects to (a merge or `normalize`
/// writes a YAML entry's document back so).
pub fn xml_text_to_yaml(
    xml: &str,
    file: &str,
    style: &super::Style,
) -> Result<String, ProjectionError> {
    let doc = xml::Document::parse(xml.to_string(), file).map_err(|e| ProjectionError::NotXml {
        file: file.to_string(),
        error: e.to_string(),
    })?;
    let mut yaml = from_xml(&doc, file)?;
    yaml.style = style.clone();
    Ok(yaml.write())
}

fn project_element(doc: &xml::Document, id: NodeId, file: &str) -> Result<Node, ProjectionError> {
    let attrs: Vec<(&str, &str)> = doc.attributes(id).collect();
    let children: Vec<NodeId> = doc.children(id).collect();
    // Text only (CDATA included): a scalar, which is what its XML is written back as.
    let text_only = children.iter().all(|&c| doc.kind(c) == NodeKind::CData);
    if attrs.is_empty() && text_only {
        return Ok(Node::Scalar(if doc.is_self_closing(id) {
            Scalar::null()
        } else {
            Scalar::new(doc.text_of(id))
        }));
    }
    let mut m = Mapping::new();
    for (name, raw) in attrs {
        m.entries.push(super::Entry {
            key: Scalar::new(format!("@{name}")),
            value: Node::Scalar(Scalar::new(xml::unescape_lossy(raw))),
        });
    }
    // Text beside children: only what is not indentation.
    let text = doc.text_of(id);
    if text_only {
        if !text.is_empty() {
            m.entries.push(super::Entry {
                key: Scalar::new("#text"),
                value: Node::Scalar(Scalar::new(text)),
            });
        }
        return Ok(Node::Mapping(m));
    }
    if !text.trim().is_empty() {
        m.entries.push(super::Entry {
            key: Scalar::new("#text"),
            value: Node::Scalar(Scalar::new(text.trim())),
        });
    }
    // Same-named children grouped at the first one's place.
    let mut groups: Vec<(String, Vec<Node>)> = Vec::new();
    for c in children {
        let (key, node) = match doc.kind(c) {
            NodeKind::Element => (doc.name(c).to_string(), project_element(doc, c, file)?),
            NodeKind::Comment => {
                let raw = doc.raw(c);
                let inner = raw
                    .strip_prefix("<!--")
                    .and_then(|r| r.strip_suffix("-->"))
                    .unwrap_or(raw);
                ("#comment".to_string(), Node::Scalar(Scalar::new(inner)))
            }
            NodeKind::CData => continue,
            NodeKind::Pi | NodeKind::DocType | NodeKind::Document => {
                return Err(ProjectionError::Unprojectable {
                    file: file.to_string(),
                    what: "a processing instruction",
                });
            }
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, items)) => items.push(node),
            None => groups.push((key, vec![node])),
        }
    }
    for (key, items) in groups {
        m.entries.push(super::Entry {
            key: Scalar::new(key),
            value: Node::collapse(items).expect("a group has an item"),
        });
    }
    Ok(Node::Mapping(m))
}

#[cfg(test)]
mod tests {
    use super::super::Sequence;
    use super::*;

    fn yaml_to_xml(yaml: &str) -> String {
        let doc = Document::parse(yaml, "t.yml").unwrap();
        let style = XmlStyle {
            bom: false,
            declaration: None,
            newline: "\n",
            indent: 2,
            final_newline: false,
            escape_cr: false,
        };
        to_xml(&doc, "t.yml", &style).unwrap()
    }

    fn xml_to_yaml(xml: &str) -> String {
        let doc = xml::Document::parse(xml.to_string(), "t.xml").unwrap();
        let mut y = from_xml(&doc, "t.xml").unwrap();
        y.style.newline = super::super::Newline::Lf;
        y.write()
    }

    #[test]
    fn attributes_text_nulls_and_empty_strings_project_both_ways() {
        let yaml = "attribute:\n  '@PhysicalName': prv_Email\n  Type: nvarchar\n  IntroducedVersion: 1.0\n  AutoNumberFormat: ''\n  Descriptions: \n  Name:\n    '@LocalizedName': Email\n    '#text': prv_email\n";
        let xml = yaml_to_xml(yaml);
        assert_eq!(
            xml,
            "<attribute PhysicalName=\"prv_Email\">\n  <Type>nvarchar</Type>\n  <IntroducedVersion>1.0</IntroducedVersion>\n  <AutoNumberFormat></AutoNumberFormat>\n  <Descriptions />\n  <Name LocalizedName=\"Email\">prv_email</Name>\n</attribute>"
        );
        assert_eq!(xml_to_yaml(&xml), yaml);
    }

    #[test]
    fn one_child_collapses_and_several_make_a_sequence() {
        let one = "<row>\n  <cell id=\"a\" />\n</row>";
        assert_eq!(xml_to_yaml(one), "row:\n  cell:\n    '@id': a\n");
        let two = "<row>\n  <cell id=\"a\" />\n  <cell id=\"b\" />\n</row>";
        let yaml = xml_to_yaml(two);
        assert_eq!(yaml, "row:\n  cell:\n  - '@id': a\n  - '@id': b\n");
        assert_eq!(yaml_to_xml(&yaml), two);
    }

    #[test]
    fn differently_named_siblings_are_grouped_by_name() {
        let xml = "<a>\n  <b>1</b>\n  <c>2</c>\n  <b>3</b>\n</a>";
        let yaml = xml_to_yaml(xml);
        assert_eq!(yaml, "a:\n  b:\n  - 1\n  - 3\n  c: 2\n");
        assert_eq!(
            yaml_to_xml(&yaml),
            "<a>\n  <b>1</b>\n  <b>3</b>\n  <c>2</c>\n</a>"
        );
    }

    #[test]
    fn cdata_text_projects_like_text() {
        assert_eq!(xml_to_yaml("<a><b><![CDATA[0]]></b></a>"), "a:\n  b: 0\n");
        assert_eq!(
            xml_to_yaml("<a><b x=\"1\"><![CDATA[0]]></b></a>"),
            "a:\n  b:\n    '@x': 1\n    '#text': 0\n"
        );
    }

    #[test]
    fn escapes_are_written_as_dotnet_writes_them() {
        let yaml = "a:\n  '@x': say \"hi\" & <go>\n  b: 1 < 2 & 3 > 2\n";
        let xml = yaml_to_xml(yaml);
        assert_eq!(
            xml,
            "<a x=\"say &quot;hi&quot; &amp; &lt;go&gt;\">\n  <b>1 &lt; 2 &amp; 3 &gt; 2</b>\n</a>"
        );
        assert_eq!(xml_to_yaml(&xml), yaml);
    }

    #[test]
    fn a_yaml_file_with_two_roots_or_a_nested_sequence_is_refused() {
        let two = Document::parse("a: 1\nb: 2\n", "t.yml").unwrap();
        assert!(matches!(
            to_xml(&two, "t.yml", &XmlStyle::default()),
            Err(ProjectionError::NotOneRoot { found: 2, .. })
        ));
        let inner = Node::Sequence(Sequence::new(vec![Node::Scalar(Scalar::new("1"))]));
        let mut b = Mapping::new();
        b.insert("b", Node::Sequence(Sequence::new(vec![inner])));
        let mut a = Mapping::new();
        a.insert("a", Node::Mapping(b));
        let nested = Document::new(Node::Mapping(a));
        assert!(matches!(
            to_xml(&nested, "t.yml", &XmlStyle::default()),
            Err(ProjectionError::NestedSequence { .. })
        ));
    }
}
