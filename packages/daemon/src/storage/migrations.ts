/**
 * Numbered schema migrations, run in order at start-up inside one transaction each; the schema
 * version is SQLite's `user_version`. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, channels, messages (+ FTS5), the pending queue and the outbox.
  `
  CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    protocol     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    params       TEXT NOT NULL,            -- JSON; never secrets (those are in the secret store)
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
  );

  CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('direct', 'room')),
    target        TEXT NOT NULL,           -- normalized contact id or room name
    autojoin      INTEGER NOT NULL DEFAULT 0,  -- rooms: rejoin on every connect
    room_key      TEXT,
    topic         TEXT NOT NULL DEFAULT '',
    last_activity INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, kind, target)
  );

  CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    sender_id   TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    server_time INTEGER NOT NULL,          -- ms since the epoch
    received_at INTEGER NOT NULL,
    body        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('normal', 'action', 'notice')),
    state       TEXT NOT NULL CHECK (state IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
    outgoing    INTEGER NOT NULL,
    protocol_id TEXT                       -- IRCv3 msgid, XEP-0359 stanza-id: de-duplication
  );
  CREATE INDEX messages_by_channel ON messages(channel_id, id);
  CREATE UNIQUE INDEX messages_by_protocol_id ON messages(channel_id, protocol_id) WHERE protocol_id IS NOT NULL;

  CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id');
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END;

  -- Received, not yet acknowledged by a client.
  CREATE TABLE pending (message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE);

  -- To send, not yet confirmed by the protocol. Order of sending = message id.
  CREATE TABLE outbox (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    attempts   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX outbox_by_account ON outbox(account_id, message_id);

  -- Small daemon-wide state (the requested presence).
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: formatting kept beside the plain body (IRC mIRC codes, XHTML-IM…) as Pango markup; NULL when none.
  `
  ALTER TABLE messages ADD COLUMN markup TEXT;
  `,
  // 3: the contacts the user keeps per account (IRC and SIP have no server-side roster).
  `
  CREATE TABLE contacts (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,              -- normalized by the protocol
    alias      TEXT NOT NULL DEFAULT '',
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id)
  );
  `,
  // 4: people (issue 7). Every stored contact belongs to exactly one person, with the reason it is
  // there; the addresses a contact is known by; and the user's own link/unlink decisions, kept apart
  // from the contacts they name so that they outlive a contact leaving and coming back.
  `
  CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    alias      TEXT NOT NULL DEFAULT '',  -- the user's name for them; '' = named after their contacts
    created_at INTEGER NOT NULL
  );

  CREATE TABLE person_contacts (
    account_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    reason     TEXT NOT NULL,             -- why the contact is with this person, for the user to read
    PRIMARY KEY (account_id, contact_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts(account_id, contact_id) ON DELETE CASCADE
  );
  CREATE INDEX person_contacts_by_person ON person_contacts(person_id);

  CREATE TABLE contact_addresses (
    account_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    address    TEXT NOT NULL,             -- user@host, lower-case (sdk addresses.ts)
    source     TEXT NOT NULL,             -- 'id' (the contact id is one) or 'said' (WHOIS, vCard)
    PRIMARY KEY (account_id, contact_id, address),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts(account_id, contact_id) ON DELETE CASCADE
  );
  CREATE INDEX contact_addresses_by_address ON contact_addresses(address);

  -- One row per pair, (a) < (b): 'link' = the user put them together, 'unlink' = the user took
  -- them apart (automatic linking never joins them again).
  CREATE TABLE person_decisions (
    a_account TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    a_contact TEXT NOT NULL,
    b_account TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    b_contact TEXT NOT NULL,
    decision  TEXT NOT NULL CHECK (decision IN ('link', 'unlink')),
    made_at   INTEGER NOT NULL,
    PRIMARY KEY (a_account, a_contact, b_account, b_contact)
  );
  CREATE INDEX person_decisions_by_b ON person_decisions(b_account, b_contact);

  -- A person's timeline reads their direct channels in server-time order.
  CREATE INDEX messages_by_channel_time ON messages(channel_id, server_time, id);
  `,
  // 5: why a sent message failed (SIP: the final response; XMPP: the stanza error), for the user to read.
  `ALTER TABLE messages ADD COLUMN failure TEXT;`,
  // 6: calls, answered or missed (docs/calls.md): written when placed or ringing, on every state change.
  `
  CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    peer        TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
    audio       INTEGER NOT NULL,
    video       INTEGER NOT NULL,
    state       TEXT NOT NULL,
    end_reason  TEXT NOT NULL DEFAULT '',
    end_detail  TEXT NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    answered_at INTEGER NOT NULL DEFAULT 0,
    ended_at    INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX calls_by_channel ON calls(channel_id, started_at);
  `,
  // 7: calls are history (issue 16). Every call has an entry in its conversation's messages: kind
  // 'call', `call_id` naming its row (the entry is written with the call and shows it as it is now),
  // so history, the timeline, the pending queue (a missed incoming call is unread until acknowledged)
  // and paging by id take calls with no second id space. Widening the CHECK on kind rebuilds the
  // table (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys stay on inside a
  // transaction, so DROP TABLE's implicit delete cascades to pending and outbox (it fires no
  // triggers, so the FTS index is untouched: ids are kept); those two are kept aside and put back.
  `
  CREATE TEMP TABLE keep_pending AS SELECT * FROM pending;
  CREATE TEMP TABLE keep_outbox AS SELECT * FROM outbox;
  CREATE TABLE messages_v7 (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    sender_id   TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    server_time INTEGER NOT NULL,          -- ms since the epoch; a call's: when it started
    received_at INTEGER NOT NULL,
    body        TEXT NOT NULL,             -- a call's is '' (searches never find it; D-Bus says it in words)
    kind        TEXT NOT NULL CHECK (kind IN ('normal', 'action', 'notice', 'call')),
    state       TEXT NOT NULL CHECK (state IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
    outgoing    INTEGER NOT NULL,
    protocol_id TEXT,
    markup      TEXT,
    failure     TEXT,
    call_id     INTEGER REFERENCES calls(id) ON DELETE CASCADE,
    CHECK ((kind = 'call') = (call_id IS NOT NULL))
  );
  INSERT INTO messages_v7 (id, channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing, protocol_id, markup, failure)
    SELECT id, channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing, protocol_id, markup, failure FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_v7 RENAME TO messages;
  INSERT INTO pending SELECT * FROM keep_pending;
  INSERT INTO outbox SELECT * FROM keep_outbox;
  DROP TABLE keep_pending;
  DROP TABLE keep_outbox;

  CREATE INDEX messages_by_channel ON messages(channel_id, id);
  CREATE UNIQUE INDEX messages_by_protocol_id ON messages(channel_id, protocol_id) WHERE protocol_id IS NOT NULL;
  CREATE INDEX messages_by_channel_time ON messages(channel_id, server_time, id);
  CREATE UNIQUE INDEX messages_by_call ON messages(call_id) WHERE call_id IS NOT NULL;
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END;

  -- The calls stored before this version get their entries, in the order they started; the missed
  -- incoming ones are unread (no client could have seen them).
  INSERT INTO messages (channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing, call_id)
    SELECT channel_id, CASE direction WHEN 'incoming' THEN peer ELSE '' END, CASE direction WHEN 'incoming' THEN peer ELSE '' END,
      started_at, started_at, '', 'call', CASE direction WHEN 'incoming' THEN 'received' ELSE 'sent' END, direction = 'outgoing', id
    FROM calls ORDER BY started_at, id;
  INSERT INTO pending (message_id)
    SELECT m.id FROM messages m JOIN calls k ON k.id = m.call_id
    WHERE k.direction = 'incoming' AND k.state = 'ended' AND k.end_reason IN ('cancelled', 'no-answer');
  UPDATE channels SET last_activity = max(last_activity, (SELECT max(started_at) FROM calls WHERE channel_id = channels.id))
    WHERE id IN (SELECT channel_id FROM calls);
  `,
];
