//! Upstream's real aggregates read as catalogues (`codegen/src/catalogue/`): all six versions parse, and upstream's
//! URL rule gives exactly the definition URLs the docs site published on 2026-04-16 and 2026-08-21 (their
//! `index.json`, copied into `tests/fixtures/docs-openapi-<date>-index.json`).

mod common;

use codegen::catalogue::{Catalogue, Limits};
use codegen::ir::Method;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Published {
    path: String,
    method: String,
    group: String,
    slug: String,
}

fn catalogue(version: &str) -> Catalogue {
    let file = common::aggregate(version);
    let source = codegen::Source::new(&file, std::fs::read(&file).unwrap());
    let mut warnings = Vec::new();
    let c = Catalogue::parse(&source, Limits::default(), &mut warnings).unwrap_or_else(|e| panic!("{version}: {e}"));
    assert!(warnings.is_empty(), "{version}: {warnings:?}");
    c
}

#[test]
fn every_aggregate_upstream_published_is_a_valid_catalogue() {
    let counts: Vec<(usize, usize)> = common::VERSIONS
        .iter()
        .map(|v| {
            let c = catalogue(v);
            (c.entries.len(), c.entries.iter().filter(|e| e.hidden).count())
        })
        .collect();
    assert_eq!(counts, [(201, 0), (213, 0), (210, 0), (226, 0), (271, 0), (348, 51)]);
    assert_eq!(
        catalogue("2026-08-21").business_codes,
        [0, 100, 101, 202, 300, 301, 302, 303, 400, 404, 500, 503, 600, 601, 602]
    );
}

#[test]
fn upstreams_url_rule_gives_every_url_the_docs_site_published() {
    for date in ["2026-04-16", "2026-08-21"] {
        let file = format!("{}/fixtures/docs-openapi-{date}-index.json", env!("CARGO_MANIFEST_DIR"));
        let index: Vec<Published> = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let c = catalogue(date);
        let published: Vec<_> = c.entries.iter().filter(|e| !e.hidden).collect();
        assert_eq!(
            published.len(),
            index.len(),
            "{date}: every published operation has a page"
        );
        for e in &index {
            let method = if e.method == "post" { Method::Post } else { Method::Get };
            let listed = c
                .find(method, &e.path)
                .unwrap_or_else(|| panic!("{date}: {} not listed", e.path));
            let docs = listed.docs.as_ref().unwrap();
            assert_eq!(
                (&docs.group, &docs.slug),
                (&e.group, &e.slug),
                "{date}: {} {}",
                e.method,
                e.path
            );
        }
    }
}
