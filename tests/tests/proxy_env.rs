//! Proxies from the environment, as the runtime's clients take them when neither `proxy()` nor `no_proxy()`
//! is called: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lowercase forms), read as
//! reqwest reads them, once, when the client is built. The environment belongs to the whole process, so this file holds one test
//! that runs the scenarios one after the other, each setting the variables it needs on a clean environment.

// `get_kol_fans_portrait_v1` is deprecated upstream; these tests exercise it on purpose.
#![allow(deprecated)]

mod common;

use justoneapi_xiaohongshu_pgy::Client;

use common::net::{private_ca, HttpServer, PrivateCa, Proxy};
use common::pgy::{builder, portrait, PORTRAIT};

/// The seed example as the servers of this file answer it.
fn seed_example() -> String {
    common::pgy::seed_example().to_string()
}

/// Every variable reqwest reads for proxies.
const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn clear_proxy_vars() {
    for name in PROXY_VARS {
        std::env::remove_var(name);
    }
}

/// Clears the proxy variables when created and again when dropped, a failed scenario included.
struct CleanEnv;

impl CleanEnv {
    fn new() -> CleanEnv {
        clear_proxy_vars();
        CleanEnv
    }

    /// Sets exactly these variables (the others cleared).
    fn set(&self, vars: &[(&str, &str)]) {
        clear_proxy_vars();
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
    }
}

impl Drop for CleanEnv {
    fn drop(&mut self) {
        clear_proxy_vars();
    }
}

/// The request line a proxy sees for the portrait of `server` in absolute form.
fn absolute_form(server: &HttpServer) -> String {
    format!("GET {}{PORTRAIT}?", server.url())
}

/// The scenarios, one after the other: they share the process's environment.
#[test]
fn proxies_from_the_environment() {
    let env = CleanEnv::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ca = private_ca();
    runtime.block_on(async {
        http_proxy_sends_plain_http_requests_through_the_proxy(&env, "HTTP_PROXY").await;
        http_proxy_sends_plain_http_requests_through_the_proxy(&env, "http_proxy").await;
        all_proxy_applies_when_no_scheme_specific_proxy_is_set(&env).await;
        no_proxy_lists_hosts_reached_directly(&env).await;
        the_builders_no_proxy_ignores_the_environment(&env).await;
        https_proxy_tunnels_https_requests_and_leaves_plain_http_alone(&env, &ca).await;
        the_environment_is_read_when_the_client_is_built(&env).await;
    });
    drop(env);
    for name in PROXY_VARS {
        assert!(std::env::var_os(name).is_none(), "{name} is left set");
    }
}

/// `HTTP_PROXY` (or `http_proxy`) sends plain-HTTP requests through that proxy, in absolute form; the server is
/// not reached directly.
async fn http_proxy_sends_plain_http_requests_through_the_proxy(env: &CleanEnv, var: &str) {
    let server = HttpServer::start(None, seed_example()).await;
    let proxy = Proxy::start(seed_example()).await;
    env.set(&[(var, &proxy.url)]);
    let client = builder(&server.url()).build().unwrap();
    let response = portrait(&client).await.unwrap_or_else(|e| panic!("{var}: {e:?}"));
    assert_eq!(response.data.devices.len(), 10);
    let lines = proxy.lines();
    assert_eq!(lines.len(), 1, "{var}: {lines:?}");
    assert!(lines[0].starts_with(&absolute_form(&server)), "{var}: {lines:?}");
    assert_eq!(
        server.connections(),
        0,
        "{var}: the server is reached through the proxy only"
    );
}

/// `ALL_PROXY` is the proxy of every scheme without its own variable.
async fn all_proxy_applies_when_no_scheme_specific_proxy_is_set(env: &CleanEnv) {
    let server = HttpServer::start(None, seed_example()).await;
    let proxy = Proxy::start(seed_example()).await;
    env.set(&[("ALL_PROXY", &proxy.url)]);
    let client = builder(&server.url()).build().unwrap();
    portrait(&client).await.unwrap();
    let lines = proxy.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with(&absolute_form(&server)), "{lines:?}");
    assert_eq!(server.connections(), 0);
}

/// `NO_PROXY` lists hosts reached directly even with `HTTP_PROXY` set: the proxy sees nothing.
async fn no_proxy_lists_hosts_reached_directly(env: &CleanEnv) {
    for var in ["NO_PROXY", "no_proxy"] {
        let server = HttpServer::start(None, seed_example()).await;
        let proxy = Proxy::start(seed_example()).await;
        env.set(&[("HTTP_PROXY", &proxy.url), (var, "localhost,127.0.0.1")]);
        let client = builder(&server.url()).build().unwrap();
        portrait(&client).await.unwrap_or_else(|e| panic!("{var}: {e:?}"));
        assert_eq!(proxy.lines(), Vec::<String>::new(), "{var}");
        assert_eq!(server.lines().len(), 1, "{var}");
    }
}

/// `no_proxy()` on the builder connects directly whatever the environment says: with `HTTP_PROXY` and
/// `ALL_PROXY` set, the proxy sees nothing.
async fn the_builders_no_proxy_ignores_the_environment(env: &CleanEnv) {
    let server = HttpServer::start(None, seed_example()).await;
    let proxy = Proxy::start(seed_example()).await;
    env.set(&[("HTTP_PROXY", &proxy.url), ("ALL_PROXY", &proxy.url)]);
    let client = builder(&server.url()).no_proxy().build().unwrap();
    portrait(&client).await.unwrap();
    assert_eq!(proxy.lines(), Vec::<String>::new());
    assert_eq!(server.lines().len(), 1);
}

/// `HTTPS_PROXY` sends HTTPS requests through a `CONNECT` tunnel to the server's authority (TLS inside it, with
/// the private authority trusted); it does not apply to plain HTTP, which goes directly.
async fn https_proxy_tunnels_https_requests_and_leaves_plain_http_alone(env: &CleanEnv, ca: &PrivateCa) {
    let tls = HttpServer::start(Some(ca.server.clone()), seed_example()).await;
    let plain = HttpServer::start(None, seed_example()).await;
    let proxy = Proxy::start(seed_example()).await;
    env.set(&[("HTTPS_PROXY", &proxy.url)]);

    let client = builder(&tls.url())
        .root_certificates_pem(ca.ca_pem.clone())
        .build()
        .unwrap();
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    assert_eq!(proxy.lines(), [format!("CONNECT {} HTTP/1.1", tls.addr)]);
    assert_eq!(tls.lines().len(), 1);

    let client = builder(&plain.url()).build().unwrap();
    portrait(&client).await.unwrap();
    assert_eq!(proxy.lines().len(), 1, "plain HTTP is not sent to HTTPS_PROXY");
    assert_eq!(plain.lines().len(), 1);
}

/// `portrait(client)` in a Tokio runtime of its own (on a blocking thread), where the client makes another
/// connection pool.
async fn portrait_in_another_runtime(client: &Client) {
    let client = client.clone();
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(portrait(&client)).unwrap();
    })
    .await
    .unwrap();
}

/// The environment is read when the client is built: a client built before `HTTP_PROXY` was set keeps
/// connecting directly, and one built after it was removed too; so do the pools a client makes for other Tokio
/// runtimes later, whatever the environment says then.
async fn the_environment_is_read_when_the_client_is_built(env: &CleanEnv) {
    let server = HttpServer::start(None, seed_example()).await;
    let proxy = Proxy::start(seed_example()).await;
    env.set(&[]);
    let before = builder(&server.url()).build().unwrap();
    env.set(&[("HTTP_PROXY", &proxy.url)]);
    let during = builder(&server.url()).build().unwrap();
    env.set(&[]);
    let after = builder(&server.url()).build().unwrap();

    portrait(&before).await.unwrap();
    portrait(&after).await.unwrap();
    assert_eq!(proxy.lines(), Vec::<String>::new());
    assert_eq!(server.lines().len(), 2);
    portrait(&during).await.unwrap();
    assert_eq!(proxy.lines().len(), 1);
    assert_eq!(server.lines().len(), 2);

    env.set(&[("HTTP_PROXY", &proxy.url)]);
    portrait_in_another_runtime(&before).await;
    assert_eq!(
        proxy.lines().len(),
        1,
        "a later pool of `before` read the variable set since"
    );
    assert_eq!(server.lines().len(), 3);
    env.set(&[]);
    portrait_in_another_runtime(&during).await;
    assert_eq!(
        proxy.lines().len(),
        2,
        "a later pool of `during` lost the proxy it was built with"
    );
    assert_eq!(server.lines().len(), 3);
}
