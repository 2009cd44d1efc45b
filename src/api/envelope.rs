//! The sendspace answer envelope: a small element tree, written as XML by
//! quick-xml (escaping every value) or as JSON with the same shape; the
//! writers are in `dropspace-proto`, the HTTP side here.
//! `render` is the one place an `ApiError` becomes a response.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The tree and its writers live in `dropspace-proto` (fuzzed there).
pub use dropspace_proto::envelope::{to_json, to_xml, xml_safe, Format, Node};

use crate::api::error::ApiError;

/// A successful (or, for 1.2 comma lists, partly successful) answer.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// `status="ok"` unless false (1.2 lists where every id failed).
    pub ok: bool,
    pub children: Vec<Node>,
}

impl Reply {
    pub fn ok(children: Vec<Node>) -> Reply {
        Reply { ok: true, children }
    }

    pub fn one(node: Node) -> Reply {
        Reply::ok(vec![node])
    }

    /// `<status>ok</status>` alone, as several methods answer.
    pub fn status_ok() -> Reply {
        Reply::one(Node::text("status", "ok"))
    }
}

/// The `<error code text [id]/>` element.
pub fn error_node(err: &ApiError) -> Node {
    Node::new("error")
        .attr("code", err.code.number())
        .attr("text", err.text())
}

/// Builds the `<result method status>` tree for an outcome.
pub fn result_tree(method: &str, outcome: Result<Reply, ApiError>) -> Node {
    let (status, children) = match outcome {
        Ok(reply) => (if reply.ok { "ok" } else { "fail" }, reply.children),
        Err(err) => {
            let mut children = vec![error_node(&err)];
            if let Some(id) = &err.id {
                children.push(Node::text("id", id));
            }
            ("fail", children)
        }
    };
    Node {
        name: "result".into(),
        attrs: vec![
            ("method".into(), method.to_string()),
            ("status".into(), status.into()),
        ],
        text: None,
        children,
    }
}

/// Turns an outcome into the HTTP 200 answer in the asked format.
pub fn render(method: &str, format: Format, outcome: Result<Reply, ApiError>) -> Response {
    let tree = result_tree(method, outcome);
    match format {
        Format::Xml => xml_response(&tree),
        Format::Json => {
            let mut root = Map::new();
            root.insert(tree.name.to_string(), to_json(&tree));
            let body = Value::Object(root).to_string();
            (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                )],
                body,
            )
                .into_response()
        }
    }
}

/// An XML document answer with the sendspace content type.
pub fn xml_response(root: &Node) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        )],
        to_xml(root),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::Code;

    #[test]
    fn error_comes_first_and_values_are_escaped() {
        let err = ApiError::with_text(Code::FileNotFound, "a<b & \"c\" ]]>").id("x&y");
        let xml = to_xml(&result_tree("files.getinfo", Err(err)));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let root = doc.root_element();
        assert_eq!(root.attribute("method"), Some("files.getinfo"));
        assert_eq!(root.attribute("status"), Some("fail"));
        let first = root.children().find(|n| n.is_element()).expect("child");
        assert_eq!(first.tag_name().name(), "error");
        assert_eq!(first.attribute("code"), Some("9"));
        assert_eq!(first.attribute("text"), Some("a<b & \"c\" ]]>"));
        let id = root
            .children()
            .filter(|n| n.is_element())
            .nth(1)
            .expect("id");
        assert_eq!(id.text(), Some("x&y"));
    }
}
