//! Where an endpoint's vendored definitions live under `specs/`, by what never moves: its method and path.
//!
//! `specs/definitions/<platform>/<method>.<segment>.<segment>...<lang>.json`, the platform being the path
//! segment after `/api/` and the segments the rest of the path, e.g. `GET
//! /api/xiaohongshu-pgy/get-kol-fans-portrait/v1` ->
//! `definitions/xiaohongshu-pgy/get.get-kol-fans-portrait.v1.en.json`. Upstream's docs group, slug and
//! operationId never appear, so a renamed tag or summary moves no file. Paths are checked first
//! ([`check_path`]): segments hold only ASCII letters, digits, `-` and `_`, so the name is a safe file name
//! and reads back into the path ([`endpoint_of`]).

use crate::ir::Method;
use crate::manifest::Lang;

/// The folder under `specs/` holding every vendored definition, one subfolder per platform.
pub const DEFINITIONS: &str = "definitions";

/// Longest file name written (most file systems allow 255 bytes).
const MAX_FILE_NAME: usize = 200;

/// A checked API path: `/api/<platform>/<rest...>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiPath {
    pub platform: String,
    /// The segments after the platform.
    pub rest: Vec<String>,
}

/// Checks that `path` is `/api/<platform>/<segments>` with a platform of lowercase ASCII letters, digits, `-`
/// and `_` and segments of ASCII letters, digits, `-` and `_` (no `.`, `..`, `%`-escapes, empty segments or
/// other characters), so it can name a folder, a file and a crate.
pub fn check_path(path: &str) -> Result<ApiPath, String> {
    let Some(rest) = path.strip_prefix("/api/") else {
        return Err(format!("path {path:?} does not start with /api/<platform>/"));
    };
    let mut segments = rest.split('/');
    let platform = segments.next().unwrap_or_default();
    let platform_ok = !platform.is_empty()
        && platform
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !platform_ok {
        return Err(format!(
            "path {path:?}: the platform segment {platform:?} must be lowercase ASCII letters, digits, `-` or `_` \
             (it names a folder and a crate)"
        ));
    }
    let rest: Vec<String> = segments.map(str::to_owned).collect();
    for seg in &rest {
        if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(format!(
                "path {path:?}: segment {seg:?} is not ASCII letters, digits, `-` and `_` (empty segments, `.`, \
                 `..`, escapes and other characters are refused)"
            ));
        }
    }
    let api = ApiPath {
        platform: platform.to_owned(),
        rest,
    };
    let longest = file_name(Method::Post, &api, Lang::En).len();
    if longest > MAX_FILE_NAME {
        return Err(format!(
            "path {path:?} is too long to name a file ({longest} bytes, at most {MAX_FILE_NAME})"
        ));
    }
    Ok(api)
}

fn method_word(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Post => "post",
    }
}

/// `<method>.<segments joined by .>.<lang>.json`.
pub fn file_name(method: Method, path: &ApiPath, lang: Lang) -> String {
    let mut name = method_word(method).to_owned();
    for seg in &path.rest {
        name.push('.');
        name.push_str(seg);
    }
    name.push('.');
    name.push_str(lang.as_str());
    name.push_str(".json");
    name
}

/// The path relative to `specs/` of an endpoint's definition in one language (also its lock key).
pub fn rel_path(method: Method, path: &ApiPath, lang: Lang) -> String {
    format!("{DEFINITIONS}/{}/{}", path.platform, file_name(method, path, lang))
}

/// The endpoint and language a path relative to `specs/` names, if it is a definition file of this layout.
pub fn endpoint_of(rel: &str) -> Option<(Method, String, Lang)> {
    let mut parts = rel.split('/');
    let (Some(DEFINITIONS), Some(platform), Some(name), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let stem = name.strip_suffix(".json")?;
    let (stem, lang) = match stem.rsplit_once('.')? {
        (stem, "en") => (stem, Lang::En),
        (stem, "zh") => (stem, Lang::Zh),
        _ => return None,
    };
    let mut words = stem.split('.');
    let method = match words.next()? {
        "get" => Method::Get,
        "post" => Method::Post,
        _ => return None,
    };
    let mut path = format!("/api/{platform}");
    for w in words {
        path.push('/');
        path.push_str(w);
    }
    let checked = check_path(&path).ok()?;
    (rel_path(method, &checked, lang) == rel).then_some((method, path, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_method_and_path_and_read_back() {
        let p = check_path("/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1").unwrap();
        let rel = rel_path(Method::Get, &p, Lang::Zh);
        assert_eq!(
            rel,
            "definitions/xiaohongshu-pgy/get.api.solar.kol.data.userId.fans_profile.v1.zh.json"
        );
        assert_eq!(
            endpoint_of(&rel),
            Some((
                Method::Get,
                "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1".to_owned(),
                Lang::Zh
            ))
        );
        let post = check_path("/api/weixin/get-article-comment/v1").unwrap();
        assert_eq!(
            rel_path(Method::Post, &post, Lang::En),
            "definitions/weixin/post.get-article-comment.v1.en.json"
        );
        assert_eq!(endpoint_of("definitions/weixin/put.a.en.json"), None);
        assert_eq!(endpoint_of("xiaohongshu-pgy-apis/fans-profile-v1-en.json"), None);
        assert_eq!(endpoint_of("definitions/weixin/get.a.fr.json"), None);
    }

    #[test]
    fn paths_that_cannot_name_a_file_are_refused() {
        for bad in [
            "/api/x/../etc",
            "/api/x/%2e%2e/y",
            "/api/x/a.b",
            "/api/x//y",
            "/api/x/y/",
            "/api//y",
            "/api/X/y",
            "/etc/passwd",
            "/api/x/ä",
            "/api/x/a b",
            "api/x/y",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        let long = format!("/api/x/{}", "a".repeat(300));
        assert!(check_path(&long).unwrap_err().contains("too long"));
        assert!(check_path("/api/1688/get-item-detail/v1").is_ok());
    }
}
