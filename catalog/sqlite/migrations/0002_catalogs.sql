-- 0002_catalogs: the catalogues each source publishes.
--
-- catalogs is the JSON array of catalog.Catalog that the source's last
-- complete run found (Store.SetCatalogs); '[]' until then.
ALTER TABLE sources ADD COLUMN catalogs TEXT NOT NULL DEFAULT '[]';
