//! The host answers as the native core does.

use rolegate_core::{Request, Snapshot};
use rolegate_host::Authorizer;

use crate::{acme, engine};

#[test]
fn host_answers_like_native_on_the_demo() {
    let native = Snapshot::decode(&acme()).unwrap();
    let host = Authorizer::new(&engine(), &acme()).unwrap();
    assert_eq!(host.revision(), 1);
    assert_eq!(host.info().organization, native.organization());
    let mut n = 0;
    for user in native.users() {
        for scope in native.scopes() {
            for permission in native.permissions() {
                let request = Request::new(user.id, permission, scope.id);
                let want = native.check(&request);
                assert_eq!(host.check(&request).unwrap(), want);
                assert_eq!(host.can(&request).unwrap(), want.allowed);
                n += 1;
            }
        }
    }
    assert!(n > 3000);
}
