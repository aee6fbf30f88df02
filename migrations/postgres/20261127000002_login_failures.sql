-- Failed sign-ins, kept briefly to slow down password guessing. Shared by
-- every instance, so the limit holds behind a load balancer.
CREATE TABLE login_failures (
    email TEXT   NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email, at);
