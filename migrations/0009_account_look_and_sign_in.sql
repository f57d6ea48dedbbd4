-- RealMail store, version 9: how an account looks and how it signs in — a colour of its own (shown next to
-- its name in the folder list; '' = none) and whether IMAP logs in with the password from the keyring or with
-- XOAUTH2 (an access token from "Sign in with Google", whose refresh token is in the keyring, never here).
-- The accounts' order is `position` (0001) and their name `name`: renaming and reordering change those.

ALTER TABLE accounts ADD COLUMN color TEXT NOT NULL DEFAULT '' CHECK (color = '' OR color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]');
ALTER TABLE accounts ADD COLUMN imap_auth TEXT NOT NULL DEFAULT 'password' CHECK (imap_auth IN ('password', 'xoauth2'));
