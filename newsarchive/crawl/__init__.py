"""One crawl run with Scrapy: settings glue, items, middlewares, the frontier, monitoring, the
extractor worker pool, the archive's writer process and distributed crawls (scrapy-redis).

`newsarchive.crawl.run.crawl` runs one crawl; `newsarchive.crawl.addon.NewsArchive` brings the
same pipelines and settings to any Scrapy project.
"""
