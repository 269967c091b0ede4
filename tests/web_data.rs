//! Browser tests of the data API (documents, collections, watch, work items, custom commands,
//! upload/download) in headless Chromium against the test server (`OPENIAP_TEST_URL`,
//! `OPENIAP_CONTROL_URL` at compile time). Test bodies are JS (tests/js/data_tests.js); the
//! expected values are tests/js/data_expected.json, shared with the native interop test
//! (tests/testserver/tests/data.rs) that runs the same scenario with the official client.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, JSON};
use openiap_wasm::wasm::Client;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const URL: Option<&str> = option_env!("OPENIAP_TEST_URL");
const CONTROL: Option<&str> = option_env!("OPENIAP_CONTROL_URL");
const EXPECTED: &str = include_str!("js/data_expected.json");

/// Imports each JS test and wraps it in a `#[wasm_bindgen_test]` of the same name.
macro_rules! js_tests {
    ($($name:ident),* $(,)?) => {
        mod js {
            use wasm_bindgen::prelude::*;
            #[wasm_bindgen(module = "/tests/js/data_tests.js")]
            extern "C" {
                $( #[wasm_bindgen(catch)] pub fn $name(env: &JsValue) -> Result<js_sys::Promise, JsValue>; )*
            }
        }
        $(
            #[wasm_bindgen_test]
            async fn $name() {
                run(stringify!($name), js::$name(&env())).await
            }
        )*
    };
}

js_tests!(
    documents_scenario_matches_the_official_client,
    typed_errors_for_server_and_argument_failures,
    collections_indexes_and_custom_commands,
    workitems_scenario_matches_the_official_client,
    upload_and_download_round_trip_bytes_in_chunks,
    upload_accepts_blob_arraybuffer_and_string,
    watch_events_arrive_and_survive_a_dropped_connection,
    data_methods_leave_nothing_pending,
);

fn env() -> JsValue {
    let url = URL.expect("OPENIAP_TEST_URL must point at a running openiap-testserver (the test command sets it)");
    let control = CONTROL.expect("OPENIAP_CONTROL_URL must be set");
    let probe: JsValue = Client::new(None).expect("client").into();
    let class = Reflect::get(&probe, &"constructor".into()).unwrap();
    let env = Object::new();
    Reflect::set(&env, &"url".into(), &url.into()).unwrap();
    Reflect::set(&env, &"control".into(), &control.into()).unwrap();
    Reflect::set(&env, &"Client".into(), &class).unwrap();
    Reflect::set(&env, &"expected".into(), &JSON::parse(EXPECTED).unwrap()).unwrap();
    env.into()
}

async fn run(test: &str, started: Result<js_sys::Promise, JsValue>) {
    let result = match started {
        Ok(promise) => JsFuture::from(promise).await.map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        let msg = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"));
        panic!("{test}: {msg}");
    }
}
