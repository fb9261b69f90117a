"""Item pipelines, in order: extract -> validate -> dedupe -> store."""
