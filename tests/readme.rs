//! The README shows the code the tests run: the two must not drift apart. Each block between
//! `<!-- NAME -->` and `<!-- /NAME -->` in README.md is a file of the tests, word for word.
#![cfg(not(target_arch = "wasm32"))]

/// The fenced code block between `<!-- name -->` and `<!-- /name -->`, without its fence lines.
fn block<'a>(readme: &'a str, name: &str) -> &'a str {
    let open = format!("<!-- {name} -->\n```");
    let start = readme
        .find(&open)
        .unwrap_or_else(|| panic!("README marks {name}"))
        + open.len();
    let start = start + readme[start..].find('\n').expect("fence line") + 1;
    let close = format!("```\n<!-- /{name} -->");
    let end = readme[start..]
        .find(&close)
        .unwrap_or_else(|| panic!("README ends {name}"))
        + start;
    &readme[start..end]
}

const README: &str = include_str!("../README.md");

#[test]
fn readme_shows_the_tested_examples_word_for_word() {
    let examples = include_str!("js/examples.js");
    let tested = &examples[..examples
        .find("\n// For the test harness")
        .expect("harness comment")];
    assert_eq!(
        block(README, "examples.js").trim_end(),
        tested.trim_end(),
        "README examples differ from tests/js/examples.js"
    );
}

#[test]
fn readme_shows_the_bundler_and_worker_examples_word_for_word() {
    let tested = [
        (
            "bundlers/app/app.js",
            include_str!("runtimes/bundlers/app/app.js"),
        ),
        (
            "bundlers/esbuild.sh",
            include_str!("runtimes/bundlers/esbuild.sh"),
        ),
        (
            "bundlers/esbuild-worker.sh",
            include_str!("runtimes/bundlers/esbuild-worker.sh"),
        ),
        (
            "workerd/readme-worker.mjs",
            include_str!("runtimes/workerd/readme-worker.mjs"),
        ),
    ];
    for (name, file) in tested {
        assert_eq!(
            block(README, name),
            file,
            "README's {name} differs from tests/runtimes/{name}"
        );
    }
}

#[test]
fn readme_shows_the_shared_abort_and_iteration_examples_word_for_word() {
    // Run by tests/runtimes/common/scenario.js in every runtime, by tests/runtimes/shared and by
    // the bundler tests (tests/runtimes/bundlers/shared.mjs).
    let tested = [
        ("readme/shared.js", include_str!("js/readme/shared.js")),
        ("readme/abort.js", include_str!("js/readme/abort.js")),
        ("readme/iterate.js", include_str!("js/readme/iterate.js")),
    ];
    for (name, file) in tested {
        assert_eq!(
            block(README, name),
            file,
            "README's {name} differs from tests/js/{name}"
        );
    }
}

#[test]
fn readme_shows_the_live_query_components_word_for_word() {
    // Rendered on a live query in Chromium by tests/runtimes/livequery (ui.jsx).
    let tested = [
        (
            "readme/LiveTable.svelte",
            include_str!("js/readme/LiveTable.svelte"),
        ),
        (
            "readme/LiveTable.jsx",
            include_str!("js/readme/LiveTable.jsx"),
        ),
    ];
    for (name, file) in tested {
        assert_eq!(
            block(README, name),
            file,
            "README's {name} differs from tests/js/{name}"
        );
    }
}
