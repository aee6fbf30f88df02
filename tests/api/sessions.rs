//! Browser sessions in the database: expired ones are swept.

use webhook_admin::server::db::Db;

use crate::support::TestApp;

#[tokio::test]
async fn expired_sessions_are_swept_and_live_ones_kept() {
    use std::collections::HashMap;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::ExpiredDeletion;
    use tower_sessions::SessionStore;
    use webhook_admin::server::sessions::DbSessionStore;

    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(&app.db);
    let now = time::OffsetDateTime::now_utc();
    let mut expired = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: now - time::Duration::hours(1),
    };
    let mut live = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: now + time::Duration::hours(1),
    };
    store.create(&mut expired).await.unwrap();
    store.create(&mut live).await.unwrap();

    let stored = || async {
        let sql = match &app.db {
            Db::Sqlite(_) => "SELECT COUNT(*) FROM tower_sessions",
            Db::Postgres(_) => "SELECT COUNT(*) FROM tower_sessions.session",
        };
        match &app.db {
            Db::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await
                .unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    };
    assert_eq!(stored().await, 2);

    store.delete_expired().await.unwrap();
    assert_eq!(stored().await, 1);
    assert_eq!(
        store.load(&live.id).await.unwrap().map(|r| r.id),
        Some(live.id)
    );
}
