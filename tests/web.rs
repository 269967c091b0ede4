//! Browser tests: the JS `Client` in headless Chromium against the test server that the test
//! command starts (`OPENIAP_TEST_URL`, `OPENIAP_CONTROL_URL` at compile time). The test bodies
//! are JS, written as a user of the package would write them: tests/js/client_tests.js
//! (connection, messaging, faults) and tests/js/data_tests.js (data API, watch, work items,
//! files; expected values shared with the official client's run).
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use openiap_wasm::wasm::Client;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const URL: Option<&str> = option_env!("OPENIAP_TEST_URL");
const CONTROL: Option<&str> = option_env!("OPENIAP_CONTROL_URL");
/// Expected results of the data scenario, shared with the official client's native test
/// (tests/testserver/tests/data.rs).
const EXPECTED: &str = include_str!("js/data_expected.json");

/// Imports each JS test of `$module` and wraps it in a `#[wasm_bindgen_test]` of the same name;
/// after every test, passed or failed, the harness disconnects the clients the test made.
macro_rules! js_tests {
    ($module:literal, $js:ident, $($name:ident),* $(,)?) => {
        mod $js {
            use wasm_bindgen::prelude::*;
            #[wasm_bindgen(module = $module)]
            extern "C" {
                $( #[wasm_bindgen(catch)] pub fn $name(env: &JsValue) -> Result<js_sys::Promise, JsValue>; )*
            }
        }
        $(
            #[wasm_bindgen_test]
            async fn $name() {
                let result = run(stringify!($name), $js::$name(&env())).await;
                harness::cleanup();
                if let Err(msg) = result {
                    panic!("{msg}");
                }
            }
        )*
    };
}

mod harness {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen(module = "/tests/js/harness.js")]
    extern "C" {
        /// Disconnects every client a test made.
        pub fn cleanup();
        /// The package's `ClientError` class (src/js/errors.js, the copy the wasm uses).
        pub fn client_error_class() -> JsValue;
    }
    #[wasm_bindgen(module = "/src/js/client.js")]
    extern "C" {
        /// Adds the package's JS-side methods to the class, as every package entry does.
        pub fn extend(class: &JsValue, error: &JsValue) -> JsValue;
    }
    #[wasm_bindgen(module = "/src/js/data.js")]
    extern "C" {
        /// Adds the data API's methods (builds with it), before `extend`.
        pub fn extend_data(class: &JsValue, error: &JsValue);
    }
}

js_tests!(
    "/tests/js/client_tests.js",
    client_js,
    readme_transient_example,
    readme_persistent_example,
    connect_emits_events_in_order_and_signs_in,
    first_connect_to_a_dead_port_rejects_and_never_retries,
    bad_credentials_reject_with_the_server_text_and_no_password,
    invalid_url_rejects_with_invalid_argument,
    queue_messages_arrive_with_parsed_data_and_replies_flow,
    concurrent_rpcs_get_their_own_replies,
    rpc_timeout_is_typed,
    a_throwing_callback_is_reported_and_later_messages_arrive,
    drop_reconnects_reregisters_and_loses_nothing,
    temporary_queue_rename_is_reported,
    server_down_then_up_reconnects,
    stalled_link_is_detected_by_the_heartbeat,
    slow_split_and_coalesced_frames_change_nothing,
    garbage_and_unknown_commands,
    refused_signins_are_retried_until_accepted,
    requests_wait_in_the_outbox_while_reconnecting,
    in_flight_requests_fail_with_disconnected,
    disconnect_leaves_nothing_running,
    two_hundred_reconnect_cycles_do_not_grow,
    grpc_web_framing_works_end_to_end,
    token_callback_and_guest_mode,
    exchanges_fan_out_and_route_by_key,
    online_event_skips_the_backoff_wait,
    unregister_queue_stops_delivery,
    a_register_raced_by_its_unregister_settles_and_leaves_nothing,
    queue_data_openflow_would_lose_is_refused_at_once,
    receiving_does_not_rearm_the_timer_per_message,
    sequential_rpcs_do_not_arm_a_timer_each,
    abort_signal_rejects_with_abort_error_and_frees_the_request,
    for_await_over_a_queue_and_break_unregisters,
    for_await_ends_when_the_client_disconnects,
    openflow_wire_habits_connect_ping_two_message_frames_and_refreshtoken,
);

// Without the `data` feature (`--no-default-features`) only the messaging tests run.
#[cfg(feature = "data")]
js_tests!(
    "/tests/js/data_tests.js",
    data_js,
    documents_scenario_matches_the_official_client,
    typed_errors_for_server_and_argument_failures,
    collections_indexes_and_custom_commands,
    workitems_scenario_matches_the_official_client,
    upload_and_download_round_trip_bytes_in_chunks,
    upload_accepts_blob_arraybuffer_and_string,
    large_files_do_not_pass_through_wasm_memory,
    uploads_wait_while_the_connection_is_backed_up,
    watch_events_arrive_and_survive_a_dropped_connection,
    data_methods_leave_nothing_pending,
    get_one_document_versions_and_update_document,
    work_item_queues_and_push_workitems,
    workflow_instances_customers_and_agents,
    invoke_openrpa_runs_a_workflow_on_a_robot,
    per_call_jwt_acts_as_that_user_for_that_request_only,
    for_await_over_a_watch,
);

#[wasm_bindgen(module = "/tests/js/examples.js")]
extern "C" {
    /// The README's examples, `{transient, persistent}`.
    fn examples() -> JsValue;
}

fn env() -> JsValue {
    let url = URL.expect(
        "OPENIAP_TEST_URL must point at a running openiap-testserver (the test command sets it)",
    );
    let control = CONTROL.expect("OPENIAP_CONTROL_URL must be set");
    let probe: JsValue = Client::new(JsValue::UNDEFINED).expect("client").into();
    let class = Reflect::get(&probe, &"constructor".into()).unwrap();
    let error_class = harness::client_error_class();
    harness::extend_data(&class, &error_class);
    harness::extend(&class, &error_class);
    let env = Object::new();
    Reflect::set(&env, &"url".into(), &url.into()).unwrap();
    Reflect::set(&env, &"control".into(), &control.into()).unwrap();
    Reflect::set(&env, &"Client".into(), &class).unwrap();
    Reflect::set(&env, &"ClientError".into(), &error_class).unwrap();
    Reflect::set(&env, &"examples".into(), &examples()).unwrap();
    Reflect::set(&env, &"wasm_memory".into(), &wasm_bindgen::memory()).unwrap();
    Reflect::set(
        &env,
        &"expected".into(),
        &js_sys::JSON::parse(EXPECTED).unwrap(),
    )
    .unwrap();
    env.into()
}

async fn run(test: &str, started: Result<js_sys::Promise, JsValue>) -> Result<(), String> {
    let result = match started {
        Ok(promise) => JsFuture::from(promise).await.map(|_| ()),
        Err(e) => Err(e),
    };
    result.map_err(|e| {
        let msg = Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        format!("{test}: {msg}")
    })
}
