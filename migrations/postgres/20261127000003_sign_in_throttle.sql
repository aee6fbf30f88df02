-- Failed sign-ins are counted per email and client address (so a flood from
-- one place cannot lock an administrator out everywhere) and per address.
-- Old rows carry no address and are dropped: they were only for a minute.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email   TEXT   NOT NULL,
    address TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX login_failures_pair_at ON login_failures (email, address, at);
CREATE INDEX login_failures_address_at ON login_failures (address, at);
-- The prune deletes by age.
CREATE INDEX login_failures_at ON login_failures (at);
