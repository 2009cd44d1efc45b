//! The answers' XML, read with roxmltree into a small owned tree, and the
//! `<result status>` envelope turned into `Ok` or [`Error::Api`].

use crate::error::{Error, ErrorCode, Result};

/// One element: name, attributes in order, its text, its child elements.
#[derive(Clone, Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn parse(xml: &str) -> Result<Element> {
        let doc = roxmltree::Document::parse(xml)
            .map_err(|e| Error::Malformed(format!("not XML: {e}")))?;
        Ok(Element::from_node(doc.root_element()))
    }

    fn from_node(node: roxmltree::Node<'_, '_>) -> Element {
        let mut text = String::new();
        let mut children = Vec::new();
        for child in node.children() {
            if child.is_element() {
                children.push(Element::from_node(child));
            } else if child.is_text() {
                text.push_str(child.text().unwrap_or(""));
            }
        }
        Element {
            name: node.tag_name().name().to_string(),
            attrs: node
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect(),
            text: text.trim().to_string(),
            children,
        }
    }

    /// An attribute's value; empty when absent.
    pub fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn has_attr(&self, name: &str) -> bool {
        self.attrs.iter().any(|(k, _)| k == name)
    }

    /// A number attribute; absent, empty or not a number read as 0 (real
    /// servers leave unused ones empty).
    pub fn int(&self, name: &str) -> i64 {
        self.attr(name).trim().parse().unwrap_or(0)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// A child element's text; empty when absent.
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or("")
    }

    /// A child element's text as a number (0 when absent or not one).
    pub fn int_of(&self, name: &str) -> i64 {
        self.text_of(name).trim().parse().unwrap_or(0)
    }

    /// The child `name`, or a malformed-answer error.
    pub fn need(&self, name: &str) -> Result<&Element> {
        self.child(name)
            .ok_or_else(|| Error::Malformed(format!("no <{name}> in <{}>", self.name)))
    }
}

/// `<error code text/>` as an [`Error::Api`]; `id` from the element's `id`
/// attribute (1.2) or the answer's `<id>` (1.0).
pub(crate) fn api_error(error: &Element, result: Option<&Element>) -> Error {
    let code = ErrorCode::from_number(error.attr("code").trim().parse().unwrap_or(0));
    let text = match error.attr("text") {
        "" => code.text().to_string(),
        t => t.to_string(),
    };
    let id = Some(error.attr("id"))
        .filter(|s| !s.is_empty())
        .or_else(|| result.map(|r| r.text_of("id")).filter(|s| !s.is_empty()))
        .map(str::to_string);
    Error::Api { code, text, id }
}

/// Parses a `/rest/` answer: the `<result>` element of an `ok` answer, or
/// the first `<error>` of a `fail` answer as an error.
pub(crate) fn result(body: &str) -> Result<Element> {
    let root = Element::parse(body)?;
    if root.name != "result" {
        return Err(Error::Malformed(format!(
            "expected <result>, got <{}>",
            root.name
        )));
    }
    match root.attr("status") {
        "ok" => Ok(root),
        "fail" => Err(match root.child("error") {
            Some(e) => api_error(e, Some(&root)),
            None => Error::Malformed("status=\"fail\" without <error>".into()),
        }),
        other => Err(Error::Malformed(format!("unknown status {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_answer() {
        let r = result(r#"<?xml version="1.0"?><result method="auth.createToken" status="ok"><token>abc</token></result>"#)
            .expect("ok");
        assert_eq!(r.text_of("token"), "abc");
    }

    #[test]
    fn fail_answer_names_code_text_and_id() {
        let e = result(r#"<result method="files.getinfo" status="fail"><error code="9" text="File not found"/><id>u5txwy</id></result>"#)
            .expect_err("fail");
        match e {
            Error::Api { code, text, id } => {
                assert_eq!(code, ErrorCode::FileNotFound);
                assert_eq!(text, "File not found");
                assert_eq!(id.as_deref(), Some("u5txwy"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_xml_is_malformed() {
        assert!(matches!(result("<html>"), Err(Error::Malformed(_))));
        assert!(matches!(result("<upload_done/>"), Err(Error::Malformed(_))));
    }
}
