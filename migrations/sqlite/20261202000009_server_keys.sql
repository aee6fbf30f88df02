-- The server's secret keys (src/server/keys.rs), made once by whichever
-- instance starts first and shared by every instance on this database: the
-- key that signs the browser's short-lived and known-device cookies.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
