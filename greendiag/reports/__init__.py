"""Report writers (Word, Markdown, HTML, JSON, charts, forms) rendered from Diagnosis.to_dict()."""
