//! The sendspace answer envelope: a small element tree, written as XML by
//! quick-xml (escaping every value) or as JSON with the same shape. Element
//! and attribute names are the server's own; text and attribute values may
//! hold anything a client sent.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use serde_json::{Map, Value};

/// The two ways a tree is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

/// One XML element: attributes in insertion order, then text or children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub name: Cow<'static, str>,
    pub attrs: Vec<(Cow<'static, str>, String)>,
    pub text: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(name: impl Into<Cow<'static, str>>) -> Node {
        Node {
            name: name.into(),
            ..Node::default()
        }
    }

    /// `<name>text</name>`
    pub fn text(name: impl Into<Cow<'static, str>>, text: impl ToString) -> Node {
        Node {
            name: name.into(),
            text: Some(text.to_string()),
            ..Node::default()
        }
    }

    pub fn attr(mut self, key: impl Into<Cow<'static, str>>, value: impl ToString) -> Node {
        self.attrs.push((key.into(), value.to_string()));
        self
    }

    pub fn child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }
}

/// Serialises a tree as an XML document with the UTF-8 declaration.
pub fn to_xml(root: &Node) -> String {
    let mut w = Writer::new_with_indent(Vec::with_capacity(512), b' ', 4);
    // Writing into a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    write_node(&mut w, root);
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

fn write_node(w: &mut Writer<Vec<u8>>, node: &Node) {
    let mut start = BytesStart::new(node.name.as_ref());
    for (k, v) in &node.attrs {
        let value = escape(v, true);
        start.push_attribute(Attribute {
            key: QName(k.as_bytes()),
            value: Cow::Borrowed(value.as_bytes()),
        });
    }
    if node.text.is_none() && node.children.is_empty() {
        let _ = w.write_event(Event::Empty(start));
        return;
    }
    let _ = w.write_event(Event::Start(start));
    if let Some(text) = &node.text {
        let _ = w.write_event(Event::Text(BytesText::from_escaped(escape(text, false))));
    }
    for child in &node.children {
        write_node(w, child);
    }
    let _ = w.write_event(Event::End(BytesEnd::new(node.name.as_ref())));
}

/// Escapes a value for XML in one pass: characters XML 1.0 cannot carry
/// become U+FFFD (as `xml_safe`), the markup characters their entities, and
/// the blanks a parser would not give back as sent are written as
/// references — a CR anywhere (line ends are normalised to LF) and, in
/// attributes, LF and tab too (normalised to spaces). Most values need
/// none of it and are borrowed as they are.
fn escape(s: &str, attr: bool) -> Cow<'_, str> {
    // 0xEF starts U+FFFE and U+FFFF (and other characters, checked below).
    let special = |b: u8| b < 0x20 || matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"' | 0xEF);
    if !s.bytes().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c if unsafe_in_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Characters XML 1.0 cannot carry at all, escaped or not.
fn unsafe_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Replaces characters XML 1.0 cannot carry at all (most C0 controls),
/// which escaping alone does not make legal.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(unsafe_in_xml) {
        Cow::Owned(
            s.chars()
                .map(|c| if unsafe_in_xml(c) { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// JSON with the XML's shape: attributes become keys, a text-only element
/// becomes a string, and a child name that repeats becomes an array.
pub fn to_json(node: &Node) -> Value {
    if node.attrs.is_empty() && node.children.is_empty() {
        return Value::String(node.text.clone().unwrap_or_default());
    }
    let mut map = Map::new();
    for (k, v) in &node.attrs {
        map.insert(k.to_string(), Value::String(v.clone()));
    }
    if let Some(text) = &node.text {
        map.insert("text".into(), Value::String(text.clone()));
    }
    for child in &node.children {
        let value = to_json(child);
        match map.get_mut(child.name.as_ref()) {
            Some(Value::Array(items))
                if node
                    .children
                    .iter()
                    .filter(|c| c.name == child.name)
                    .count()
                    > 1 =>
            {
                items.push(value)
            }
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(child.name.to_string(), value);
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaping as it was done before it became one pass: xml_safe,
    /// quick-xml's escape, then the blanks.
    fn three_passes(s: &str, attr: bool) -> String {
        let safe = xml_safe(s);
        let escaped = quick_xml::escape::escape(safe.as_ref());
        let mut out = String::new();
        for c in escaped.chars() {
            match c {
                '\r' => out.push_str("&#13;"),
                '\n' if attr => out.push_str("&#10;"),
                '\t' if attr => out.push_str("&#9;"),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn one_pass_escaping_writes_the_same_bytes() {
        let alphabet: Vec<char> =
            "aZ0 <>&'\"\r\n\t\u{0}\u{1}\u{b}\u{1f}\u{7f}é€\u{fffd}\u{fffe}\u{ffff}\u{effe}😀"
                .chars()
                .collect();
        // Every string of up to three of these characters, and longer mixes.
        let mut cases: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = cases
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            cases.extend(longer);
        }
        cases.push("plain text with nothing to do".into());
        cases.push("a\r\nb\tc<d>e&f'g\"h\u{2}i\u{ffff}j".repeat(5));
        for s in &cases {
            for attr in [true, false] {
                assert_eq!(escape(s, attr), three_passes(s, attr), "{s:?} attr={attr}");
            }
        }
    }

    #[test]
    fn control_characters_are_replaced() {
        let xml = to_xml(&Node::text("name", "a\u{1}b"));
        assert!(roxmltree::Document::parse(&xml).is_ok());
    }

    #[test]
    fn values_are_escaped() {
        let tree = Node::new("result")
            .attr("text", "a<b & \"c\" ]]>")
            .child(Node::text("id", "x&y</id>"));
        let xml = to_xml(&tree);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let root = doc.root_element();
        assert_eq!(root.attribute("text"), Some("a<b & \"c\" ]]>"));
        let id = root.children().find(|n| n.is_element()).expect("id");
        assert_eq!(id.text(), Some("x&y</id>"));
    }

    /// Found by the `envelope` fuzz target: a parser turned CR, LF and tab
    /// in attribute values into spaces (and CR LF in text into LF), so a
    /// multi-line description did not come back as stored.
    #[test]
    fn blanks_survive_the_round_trip() {
        let value = "\r\n\t\u{1}\u{1f}\u{fffe}\r\n\ta b";
        let tree = Node::new("file")
            .attr("description", value)
            .child(Node::text("name", value));
        let xml = to_xml(&tree);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let want = "\r\n\t\u{fffd}\u{fffd}\u{fffd}\r\n\ta b";
        let root = doc.root_element();
        assert_eq!(root.attribute("description"), Some(want));
        let name = root.children().find(|n| n.is_element()).expect("name");
        assert_eq!(name.text(), Some(want));
        // Values without those blanks are written as before.
        let plain = to_xml(&Node::new("a").attr("b", "x<\"&'y"));
        assert!(plain.contains("b=\"x&lt;&quot;&amp;&apos;y\""), "{plain}");
    }

    #[test]
    fn json_repeats_become_arrays() {
        let tree = Node::new("result")
            .child(Node::new("file").attr("id", "a"))
            .child(Node::new("file").attr("id", "b"))
            .child(Node::new("file").attr("id", "c"))
            .child(Node::text("id", "z"));
        let v = to_json(&tree);
        assert_eq!(v["file"].as_array().map(|a| a.len()), Some(3));
        assert_eq!(v["file"][2]["id"], "c");
        assert_eq!(v["id"], "z");
    }
}
