use super::*;

#[test]
fn segments_keep_slashes_inside_keys() {
    assert_eq!(
        segments("webresource:new_/scripts/account.js"),
        ["webresource:new_/scripts/account.js"]
    );
    assert_eq!(
        segments("entity:account/form:1/x"),
        ["entity:account", "form:1/x"]
    );
}
