-- A copied database (Odoo's "neutralize", e.g. a staging copy of production) must never
-- send a document to Hacienda's production environment nor log in with the taxpayer's
-- credentials: production companies go to Hacienda's sandbox (no tax effect), the API
-- user, password and URL overrides are cleared, so nothing leaves the copy until an
-- administrator enters sandbox credentials. The signing key's PIN is neutralized by the
-- certificate module; the crons and outgoing mail by base.
UPDATE res_company
   SET l10n_cr_environment = 'sandbox'
 WHERE l10n_cr_environment = 'production';

UPDATE res_company
   SET l10n_cr_username = NULL,
       l10n_cr_password = NULL,
       l10n_cr_api_url = NULL,
       l10n_cr_idp_url = NULL
 WHERE l10n_cr_environment != 'simulator';
