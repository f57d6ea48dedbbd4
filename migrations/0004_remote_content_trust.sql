-- RealMail store, version 4: senders whose mail may load remote content (images, CSS backgrounds).
-- The reader blocks every remote request unless the person allowed it for one message (not stored) or
-- for the sender ("Always for this sender", stored here until "Stop trusting").

-- address: lower-cased, trimmed e-mail address of the sender (From), matched exactly.
CREATE TABLE remote_content_trust (
    address TEXT PRIMARY KEY NOT NULL CHECK (address = lower(trim(address)) AND address != ''),
    trusted_at INTEGER NOT NULL
) WITHOUT ROWID;
