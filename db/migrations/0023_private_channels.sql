-- LISTEN channels no other tenant can name (issue 18, item 9).
--
-- Measured before: followers listened on `consult_events_<tenant id>`; ids are small and
-- sequential, so a member of tenant 1 ran `LISTEN consult_events_2` and heard tenant 2's log
-- positions live (when it writes, how much), and could NOTIFY on it to wake tenant 2's followers.
--
-- Now each tenant has a random token (122 random bits of a version 4 UUID, as 32 hex digits)
-- and its channel is `consult_events_<token>`. The token lives in the tenant's own row of
-- consult.tenants, which row-level security shows to that tenant's members and the owner only;
-- consult.events_channel() reads it as the caller (SECURITY INVOKER), so a member asking for
-- another tenant's channel gets NULL. Notifications still carry a position only, and a follower
-- trusts none: it re-reads the log from its checkpoint, and polls anyway (0004). Anyone may still
-- NOTIFY any channel they can name; nobody else can name this one. consult.append and
-- consult.follower_heartbeat are SECURITY DEFINER and so read the token as the owner: neither
-- changes, and the append still notifies only while a follower has sent a heartbeat (off the hot
-- path, as DESIGN.md asks).
--
-- Planner statistics on the new column are off like every other (0020); the migrator re-applies
-- that rule after this file.

ALTER TABLE consult.tenants
    ADD COLUMN channel_token text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', ''),
    ADD CONSTRAINT tenants_channel_token_check CHECK (channel_token ~ '^[0-9a-f]{32}$');

CREATE OR REPLACE FUNCTION consult.events_channel(p_tenant bigint) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'consult_events_' || t.channel_token FROM consult.tenants t WHERE t.tenant_id = p_tenant
$$;

SELECT consult.harden_statistics('consult.tenants');
