//! The session cache forgets exactly what a change makes stale: a change to one user (a
//! profile save, a deletion) or to one session reaches every cached copy of theirs, through
//! REST and GraphQL alike, and leaves everybody else's sessions cached and right. Each
//! session is read three times before a change, so it is cached (a token is cached at its
//! second miss) and its GraphQL answer kept.

mod graphql_support;

use graphql_support::{Reply, Server, sign_up};
use serde_json::{Value, json};

const VIEWER: &str = "query { viewer { sessionToken user { username } } }";

async fn get(server: &Server, path: &str, token: &str) -> Reply {
    server
        .request("GET", path)
        .header("X-Parse-Client-Key", "compatClient")
        .header("X-Parse-Session-Token", token)
        .send()
        .await
}

async fn me(server: &Server, token: &str) -> Reply {
    get(server, "/parse/users/me", token).await
}

async fn viewer(server: &Server, token: &str) -> Reply {
    server
        .request("POST", "/graphql")
        .header("X-Parse-Client-Key", "compatClient")
        .header("X-Parse-Session-Token", token)
        .header("Content-Type", "application/json")
        .body(json!({ "query": VIEWER }).to_string())
        .send()
        .await
}

async fn write(server: &Server, method: &str, path: &str, token: &str, body: Value) -> Reply {
    server
        .request(method, path)
        .header("X-Parse-Client-Key", "compatClient")
        .header("X-Parse-Session-Token", token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
}

fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("not JSON: {}", reply.body))
}

/// Read a session's user through REST and GraphQL, three times each.
async fn read_thrice(server: &Server, token: &str) -> (Value, Value) {
    let mut last = (Value::Null, Value::Null);
    for _ in 0..3 {
        let rest = me(server, token).await;
        assert_eq!(rest.status, 200, "{}", rest.body);
        let graphql = viewer(server, token).await;
        assert_eq!(graphql.status, 200, "{}", graphql.body);
        last = (json_of(&rest), json_of(&graphql));
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_its_users_cached_sessions_and_nobody_elses() {
    let server = Server::start("9.10.0").await;
    let (alice_id, alice) = sign_up(&server, "alice").await;
    let (bob_id, bob) = sign_up(&server, "bob").await;
    read_thrice(&server, &alice).await;
    read_thrice(&server, &bob).await;

    // Bob saves his profile: his sessions show it at once, Alice's stay as they were.
    let saved = write(
        &server,
        "PUT",
        &format!("/parse/users/{bob_id}"),
        &bob,
        json!({ "username": "robert", "nickname": "bobby" }),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let (rest, graphql) = read_thrice(&server, &bob).await;
    assert_eq!(rest["username"], "robert");
    assert_eq!(rest["nickname"], "bobby");
    assert_eq!(graphql["data"]["viewer"]["user"]["username"], "robert");
    let (rest, graphql) = read_thrice(&server, &alice).await;
    assert_eq!(rest["username"], "alice");
    assert_eq!(rest.get("nickname"), None);
    assert_eq!(graphql["data"]["viewer"]["user"]["username"], "alice");

    // Alice writes a field of her session: `sessions/me` shows it.
    let session: Value = json_of(&get(&server, "/parse/sessions/me", &alice).await);
    let session_id = session["objectId"]
        .as_str()
        .expect("a session id")
        .to_owned();
    for _ in 0..3 {
        let again = get(&server, "/parse/sessions/me", &alice).await;
        assert_eq!(json_of(&again).get("device"), None);
    }
    let updated = write(
        &server,
        "PUT",
        &format!("/parse/sessions/{session_id}"),
        &alice,
        json!({ "device": "phone" }),
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let after = get(&server, "/parse/sessions/me", &alice).await;
    assert_eq!(json_of(&after)["device"], "phone", "{}", after.body);

    // Bob is deleted: his cached session no longer resolves to anyone; Alice's still does.
    let deleted = server
        .request("DELETE", &format!("/parse/users/{bob_id}"))
        .master()
        .send()
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let gone = me(&server, &bob).await;
    assert_ne!(gone.status, 200, "{}", gone.body);
    let (rest, _) = read_thrice(&server, &alice).await;
    assert_eq!(rest["objectId"], alice_id.as_str());
}
