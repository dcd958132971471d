-- Channels by any name, several of a kind (issue 16 item 10), and checklist items corrected
-- (issue 16 item 4, the handover item's wording).
--
-- 0026 registered the channel of ChannelAdopted, ChannelRetired and AccountControlTransferred as
-- one of a fixed list (twitter, facebook, blog, video, podcast, linkedin, instagram, other). A
-- channel is now any slug (`tiktok`, `google-business-profile`); the well-known ones are
-- normalised by the domain (Sources/BackOffice/Events.swift, Channel.normalise). Every stored
-- body keeps validating: the old values are strings. ChannelRetired and
-- AccountControlTransferred may name the account (its handle) when two of a kind are in use.
UPDATE consult.event_types
   SET required = jsonb_set(required, '{channel}', '"string"')
 WHERE type IN ('ChannelAdopted', 'ChannelRetired', 'AccountControlTransferred') AND schema_version = 1;

UPDATE consult.event_types
   SET optional = optional || '{"handle": "string"}'
 WHERE type IN ('ChannelRetired', 'AccountControlTransferred') AND schema_version = 1;

-- A checklist item's category or text corrected: only what changed, with what it said before.
INSERT INTO consult.event_types (type, schema_version, required, optional) VALUES
    ('HandoverItemCorrected', 1, '{"item": "uuid", "reason": "string"}',
        '{"category": "string", "previousCategory": "string", "text": "string", "previousText": "string"}');

SELECT consult.compile_event_types();
