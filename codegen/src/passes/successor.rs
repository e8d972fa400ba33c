//! Which operation replaces a deprecated one.
//!
//! In order of precedence:
//! 1. a hint: a `successor:` overlay (`specs/overlays/`);
//! 2. **another method, same path**: a non-deprecated operation of the same path — upstream replaced the GET of
//!    `/api/weixin/get-article-comment/v1` by a POST (the GET, no longer listed, is kept deprecated);
//! 3. **higher version**: the same path with a higher trailing `/vN`, not deprecated
//!    (`/get-kol-data-summary/v1` -> `/get-kol-data-summary/v2`);
//! 4. **same summary**: a non-deprecated operation of the same platform whose English summary equals the
//!    deprecated one's with the deprecation marker (` [Deprecated]`) removed — this is how upstream's later
//!    versions pair `get-kol-fans-portrait/v1` with `fans_profile/v1` ("Follower Distribution").
//!
//! When several candidates match a rule, the one with the highest version (then the smallest path) wins,
//! so the result never depends on input order.

use crate::ir::{Operation, Successor, SuccessorSource};

/// Fills `deprecation.successor` of every deprecated operation that has none yet.
pub fn infer_successors(ops: &mut [Operation]) {
    let found: Vec<Option<Successor>> = ops
        .iter()
        .map(|op| match &op.deprecation {
            Some(d) if d.successor.is_none() => infer_one(op, ops),
            _ => None,
        })
        .collect();
    for (op, succ) in ops.iter_mut().zip(found) {
        if let (Some(d), Some(s)) = (op.deprecation.as_mut(), succ) {
            d.successor = Some(s);
        }
    }
}

fn split_version(path: &str) -> (&str, Option<u32>) {
    match path.rsplit_once("/v") {
        Some((base, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => (base, v.parse().ok()),
        _ => (path, None),
    }
}

fn normalized_summary(op: &Operation) -> Option<String> {
    let s = op.summary.en.as_deref()?;
    let s = s.replace("[Deprecated]", "").replace("(Deprecated)", "");
    let s = s.trim().to_ascii_lowercase();
    (!s.is_empty()).then_some(s)
}

fn pick(mut candidates: Vec<&Operation>) -> Option<&Operation> {
    candidates.sort_by(|a, b| {
        let va = split_version(&a.path).1.unwrap_or(0);
        let vb = split_version(&b.path).1.unwrap_or(0);
        vb.cmp(&va).then_with(|| a.path.cmp(&b.path))
    });
    candidates.first().copied()
}

fn infer_one(op: &Operation, all: &[Operation]) -> Option<Successor> {
    let live = || all.iter().filter(|o| !o.is_deprecated());
    if let Some(o) = live().find(|o| o.path == op.path && o.method != op.method) {
        return Some(Successor {
            method: o.method,
            path: o.path.clone(),
            source: SuccessorSource::OtherMethod,
        });
    }
    let (base, version) = split_version(&op.path);
    if let Some(v) = version {
        let higher: Vec<&Operation> = live()
            .filter(|o| {
                let (b, ov) = split_version(&o.path);
                b == base && ov.is_some_and(|ov| ov > v)
            })
            .collect();
        if let Some(o) = pick(higher) {
            return Some(Successor {
                method: o.method,
                path: o.path.clone(),
                source: SuccessorSource::HigherVersion,
            });
        }
    }
    let summary = normalized_summary(op)?;
    let same: Vec<&Operation> = live()
        .filter(|o| o.path != op.path && normalized_summary(o).as_deref() == Some(summary.as_str()))
        .collect();
    pick(same).map(|o| Successor {
        method: o.method,
        path: o.path.clone(),
        source: SuccessorSource::SameSummary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Deprecation, Method, Text};

    fn op(method: Method, path: &str, summary: &str, deprecated: bool) -> Operation {
        Operation {
            method,
            path: path.into(),
            operation_id: None,
            name: None,
            summary: Text::en(summary),
            description: Text::default(),
            tags: vec![],
            params: vec![],
            response: None,
            deprecation: deprecated.then(|| Deprecation {
                note: Text::default(),
                successor: None,
            }),
            docs: Text::default(),
            listing: Default::default(),
        }
    }

    fn successor(ops: &[Operation], path: &str, method: Method) -> Option<(Method, String, SuccessorSource)> {
        let mut ops = ops.to_vec();
        infer_successors(&mut ops);
        let o = ops.iter().find(|o| o.path == path && o.method == method)?;
        let s = o.deprecation.as_ref()?.successor.as_ref()?;
        Some((s.method, s.path.clone(), s.source))
    }

    #[test]
    fn each_rule_in_its_order() {
        let comment = "/api/weixin/get-article-comment/v1";
        let ops = [
            op(Method::Get, comment, "Article Comments (V1)", true),
            op(Method::Post, comment, "Article Comments", false),
            op(
                Method::Get,
                "/api/weixin/get-article-comment/v2",
                "Article Comments (V2)",
                false,
            ),
            op(
                Method::Get,
                "/api/x/portrait/v1",
                "Follower Distribution [Deprecated]",
                true,
            ),
            op(Method::Get, "/api/x/fans_profile/v1", "Follower Distribution", false),
            op(Method::Get, "/api/x/summary/v1", "Summary (V1)", true),
            op(Method::Get, "/api/x/summary/v3", "Summary (V3)", false),
        ];
        // The same path served by another method comes before a higher version of the path.
        assert_eq!(
            successor(&ops, comment, Method::Get),
            Some((Method::Post, comment.to_owned(), SuccessorSource::OtherMethod))
        );
        assert_eq!(
            successor(&ops, "/api/x/summary/v1", Method::Get),
            Some((
                Method::Get,
                "/api/x/summary/v3".to_owned(),
                SuccessorSource::HigherVersion
            ))
        );
        assert_eq!(
            successor(&ops, "/api/x/portrait/v1", Method::Get),
            Some((
                Method::Get,
                "/api/x/fans_profile/v1".to_owned(),
                SuccessorSource::SameSummary
            ))
        );
    }
}
