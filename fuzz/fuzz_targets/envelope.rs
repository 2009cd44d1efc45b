//! The answer envelope: trees whose names are the server's and whose
//! values are anything a client could have sent. The XML must parse (with
//! roxmltree) and give every value back, control characters aside; the
//! JSON must parse and give the same value back.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use dropspace_proto::envelope::{to_json, to_xml, xml_safe, Node};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "result",
    "file",
    "folder",
    "error",
    "id",
    "name",
    "text",
    "status",
    "description",
    "download_url",
    "upload_done",
    "contact",
    "a",
    "b",
];

fn name(u: &mut Unstructured<'_>) -> arbitrary::Result<&'static str> {
    u.choose(NAMES).copied()
}

fn node(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Node> {
    let mut n = Node::new(name(u)?);
    for _ in 0..u.int_in_range(0..=3)? {
        let key = name(u)?;
        // XML forbids the same attribute twice; the server never does it.
        if n.attrs.iter().all(|(k, _)| k != key) {
            n.attrs.push((key.into(), String::arbitrary(u)?));
        }
    }
    if bool::arbitrary(u)? {
        n.text = Some(String::arbitrary(u)?);
    }
    if depth < 4 {
        for _ in 0..u.int_in_range(0..=3)? {
            n.children.push(node(u, depth + 1)?);
        }
    }
    Ok(n)
}

fn same(xml: roxmltree::Node<'_, '_>, n: &Node) {
    assert_eq!(xml.tag_name().name(), n.name);
    assert_eq!(xml.attributes().len(), n.attrs.len());
    for (k, v) in &n.attrs {
        assert_eq!(
            xml.attribute(k.as_ref()),
            Some(xml_safe(v).as_ref()),
            "attribute {k}"
        );
    }
    let text: String = xml
        .children()
        .take_while(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let want = n.text.as_deref().map(xml_safe).unwrap_or_default();
    if n.children.is_empty() || !want.is_empty() {
        assert_eq!(text, want, "text of {}", n.name);
    }
    let elements: Vec<_> = xml.children().filter(|c| c.is_element()).collect();
    assert_eq!(elements.len(), n.children.len());
    for (x, c) in elements.into_iter().zip(&n.children) {
        same(x, c);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(tree) = node(&mut u, 0) else {
        return;
    };
    let xml = to_xml(&tree);
    let doc = match roxmltree::Document::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => panic!("not well-formed ({e}):\n{xml}"),
    };
    same(doc.root_element(), &tree);

    let json = to_json(&tree);
    let text = json.to_string();
    let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(back, json);
});
