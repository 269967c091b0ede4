//! The README shows the examples that the browser tests run: they must not drift apart.
#![cfg(not(target_arch = "wasm32"))]

#[test]
fn readme_shows_the_tested_examples_word_for_word() {
    let readme = include_str!("../README.md");
    let examples = include_str!("js/examples.js");
    let start = readme
        .find("<!-- examples.js -->\n```js\n")
        .expect("README marks the examples")
        + "<!-- examples.js -->\n```js\n".len();
    let end = readme[start..]
        .find("```\n<!-- /examples.js -->")
        .expect("end marker")
        + start;
    let shown = &readme[start..end];
    let tested = &examples[..examples
        .find("\n// For the test harness")
        .expect("harness comment")];
    assert_eq!(
        shown.trim_end(),
        tested.trim_end(),
        "README examples differ from tests/js/examples.js"
    );
}
