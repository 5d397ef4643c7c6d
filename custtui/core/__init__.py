"""The archive library: records, schema, validation and the git store. Imports no Textual."""
