//! The pages a browser gets from `GET /graphql` (an `Accept` that prefers HTML), as the
//! recorded servers send them: graphql-yoga's GraphiQL page (5.3 – 6.x) and Apollo Server's
//! production landing page (7.x, 9.x), whose CSP nonce is new on every page.

/// graphql-yoga 2.6's `renderGraphiQL({})`.
pub const YOGA_GRAPHIQL: &str = include_str!("../../../assets/landing/yoga-graphiql.html");

/// Apollo Server's `ApolloServerPluginLandingPageProductionDefault` page, with `{nonce}` and
/// `{runtime}` (the `@apollo/server@x.y.z` it names) left to fill.
const APOLLO_PRODUCTION: &str = include_str!("../../../assets/landing/apollo-production.html");

/// Apollo Server's landing page for one request: `runtime` is the release it names, the nonce
/// 32 bytes from the OS generator in hex (Apollo hashes a random UUID to the same length).
pub fn apollo_production(runtime: &str) -> String {
    let mut bytes = [0u8; 32];
    crate::store::os_random(&mut bytes);
    let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    APOLLO_PRODUCTION
        .replace("{nonce}", &nonce)
        .replace("{runtime}", runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_apollo_page_has_a_fresh_nonce_everywhere_it_is_named() {
        let nonce = |page: &str| {
            let at = page.find("'nonce-").unwrap() + "'nonce-".len();
            page[at..at + 64].to_owned()
        };
        let (a, b) = (
            apollo_production("@apollo/server@5.5.0"),
            apollo_production("@apollo/server@5.5.0"),
        );
        assert_ne!(nonce(&a), nonce(&b));
        assert!(nonce(&a).bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.matches(&nonce(&a)).count(), 5);
        assert!(!a.contains("{nonce}") && !a.contains("{runtime}"));
        assert!(a.contains("main.js?runtime=@apollo/server@5.5.0\""));
    }
}
