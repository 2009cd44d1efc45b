//! Methods that take a comma list of ids answer by the session's version
//! (docs/api-notes.md, "Versions"): 1.0 is all or nothing (the first failing id names
//! the failure and nothing changes), 1.2 handles each id on its own and
//! answers `<id>a,b</id>`, one element per success, and one
//! `<error code text id="x,y"/>` per kind of failure.
//!
//! Handlers run in two phases: `check` every id without changing anything,
//! `stop_on_failure` (1.0 ends there on the first failure), then apply the
//! change to the ids that passed and hand every outcome to `answer`.

use crate::api::envelope::{Node, Reply};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::http::params::{comma_list, Params};

/// One id (or address) and what became of it.
pub type Outcome<T> = (String, ApiResult<T>);

/// How a method shows its outcomes.
#[derive(Clone, Copy)]
pub struct Shape {
    /// The element listing the succeeded keys: `id`, or `email`.
    pub head: &'static str,
    /// 1.0 answers carry the head element (files.delete) …
    pub v10_head: bool,
    /// … and/or the per-item elements (files.getInfo).
    pub v10_items: bool,
}

/// Most ids (or addresses) one call may name.
pub const MAX_KEYS: usize = 1000;

/// The comma-list parameter `name`: absent or empty is 4, more than
/// `MAX_KEYS` entries is 21.
pub fn param(params: &Params, name: &str) -> ApiResult<Vec<String>> {
    let keys = keys(params.required(name)?);
    if keys.is_empty() {
        return Err(ApiError::with_text(
            Code::ParameterMissing,
            format!("Parameter missing: {name}"),
        ));
    }
    if keys.len() > MAX_KEYS {
        return Err(ApiError::with_text(
            Code::ParameterBadValue,
            format!("At most {MAX_KEYS} entries in {name}"),
        ));
    }
    Ok(keys)
}

/// The list in `value`, blanks dropped, each key once, in the order given.
pub fn keys(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in comma_list(value) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// 1.0: the first failure, naming its id. 1.2: nothing (each id on its own).
pub fn stop_on_failure<T>(v12: bool, checked: &[Outcome<T>]) -> ApiResult<()> {
    if v12 {
        return Ok(());
    }
    match checked
        .iter()
        .find_map(|(k, r)| r.as_ref().err().map(|e| (k, e)))
    {
        Some((key, err)) => Err(err.clone().id(key.clone())),
        None => Ok(()),
    }
}

/// The answer for every outcome, in the order of the request.
pub fn answer(v12: bool, shape: Shape, outcomes: Vec<Outcome<Node>>) -> ApiResult<Reply> {
    stop_on_failure(v12, &outcomes)?;
    let mut succeeded = Vec::new();
    let mut items = Vec::new();
    // (code, text) → ids, in the order each kind was first seen.
    let mut failures: Vec<(ApiError, Vec<String>)> = Vec::new();
    for (key, outcome) in outcomes {
        match outcome {
            Ok(node) => {
                succeeded.push(key);
                items.push(node);
            }
            Err(err) => {
                // 1.2 answers per id, so an internal cause is logged here.
                err.log("list item");
                match failures
                    .iter_mut()
                    .find(|(e, _)| e.code == err.code && e.text() == err.text())
                {
                    Some((_, ids)) => ids.push(key),
                    None => failures.push((err, vec![key])),
                }
            }
        }
    }
    let head = Node::text(shape.head, succeeded.join(","));
    if !v12 {
        let mut children = Vec::new();
        if shape.v10_head {
            children.push(head);
        }
        if shape.v10_items {
            children.extend(items);
        }
        return Ok(Reply::ok(children));
    }
    let errors = failures.into_iter().map(|(err, ids)| {
        Node::new("error")
            .attr("code", err.code.number())
            .attr("text", err.text())
            .attr("id", ids.join(","))
    });
    if succeeded.is_empty() {
        return Ok(Reply {
            ok: false,
            children: errors.collect(),
        });
    }
    let mut children = vec![head];
    children.extend(items);
    children.extend(errors);
    Ok(Reply::ok(children))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: Shape = Shape {
        head: "id",
        v10_head: true,
        v10_items: false,
    };

    fn mixed() -> Vec<Outcome<Node>> {
        vec![
            ("aaaaaa".into(), Ok(Node::new("file").attr("id", "aaaaaa"))),
            ("bbbbbb".into(), Err(ApiError::new(Code::FileNotFound))),
            ("cccccc".into(), Ok(Node::new("file").attr("id", "cccccc"))),
            ("dddddd".into(), Err(ApiError::new(Code::FileNotFound))),
        ]
    }

    #[test]
    fn v10_names_the_first_failure() {
        let err = answer(false, SHAPE, mixed()).expect_err("fails");
        assert_eq!(err.code, Code::FileNotFound);
        assert_eq!(err.id.as_deref(), Some("bbbbbb"));
    }

    #[test]
    fn v12_groups_failures_by_kind() {
        let reply = answer(true, SHAPE, mixed()).expect("answer");
        assert!(reply.ok);
        let names: Vec<_> = reply.children.iter().map(|n| n.name.to_string()).collect();
        assert_eq!(names, ["id", "file", "file", "error"]);
        assert_eq!(reply.children[0].text.as_deref(), Some("aaaaaa,cccccc"));
        assert!(reply.children[3]
            .attrs
            .iter()
            .any(|(k, v)| k == "id" && v == "bbbbbb,dddddd"));
    }

    #[test]
    fn v12_all_failed_is_fail() {
        let all_bad = vec![("x".to_string(), Err(ApiError::new(Code::FileNotFound)))];
        let reply = answer(true, SHAPE, all_bad).expect("answer");
        assert!(!reply.ok);
        assert_eq!(reply.children[0].name, "error");
    }

    #[test]
    fn keys_are_deduplicated_in_order() {
        assert_eq!(keys("b, a,,b ,c"), ["b", "a", "c"]);
    }
}
