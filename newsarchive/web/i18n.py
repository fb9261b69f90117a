"""The interface's two languages, Chinese and English: chosen by `?lang=`, else the browser's
Accept-Language; every page links to the other."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh", "en")
DEFAULT = "en"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Chinese, English)
    "archive": ("新闻存档", "News archive"),
    "home": ("首页", "Home"),
    "search": ("搜索", "Search"),
    "compare": ("对比", "Compare"),
    "deletions": ("删除", "Deletions"),
    "sites": ("网站", "Sites"),
    "runs": ("抓取", "Crawls"),
    "query": ("查询", "Query"),
    "query_help": ("词、\"短语\"、-排除、OR，以及 title: author: site: section:",
                   "words, \"phrases\", -exclude, OR, and title: author: site: section:"),
    "since": ("起", "From"),
    "until": ("止", "Until"),
    "as_of": ("截至", "As of"),
    "sort": ("排序", "Sort"),
    "sort_relevance": ("相关度", "relevance"),
    "sort_time": ("发布时间", "time"),
    "sort_archived": ("存档时间", "archived"),
    "results": ("条结果", "results"),
    "results_at_least": ("条以上结果", "or more results"),
    "no_results": ("没有找到结果。", "No results."),
    "next_page": ("下一页", "Next page"),
    "first_page": ("第一页", "First page"),
    "facets": ("筛选", "Filters"),
    "facet_site": ("网站", "Site"),
    "facet_author": ("作者", "Author"),
    "facet_section": ("栏目", "Section"),
    "facet_language": ("语言", "Language"),
    "facet_status": ("状态", "Status"),
    "status_live": ("在线", "live"),
    "status_changed": ("已修改", "changed"),
    "status_deleted": ("已删除", "deleted"),
    "no_language": ("未标明", "none given"),
    "clear": ("清除", "clear"),
    "attention": ("关注度", "Attention over time"),
    "per_day": ("按日", "per day"),
    "per_week": ("按周", "per week"),
    "per_month": ("按月", "per month"),
    "counts": ("篇数", "count"),
    "share": ("占存档比例", "share of archived"),
    "top_sites": ("主要网站", "Top sites"),
    "export": ("导出", "Export"),
    "export_help": ("文件内记录查询、筛选条件和截至时间，可据此复现。",
                    "The file carries the query, the filters and the as-of time, to cite and "
                    "reproduce it."),
    "feed": ("订阅", "Atom feed"),
    "json": ("JSON", "JSON"),
    "chart_partial": ("匹配过多：只统计最近发布的部分，图表从 {since} 起。",
                      "Too many matches to count all: the latest published are counted, the "
                      "chart starts at {since}."),
    "undated": ("无日期", "undated"),
    "compare_help": ("每行一个查询（2–4 个）", "one query a line (2 to 4)"),
    "article": ("文章", "Article"),
    "fields": ("字段", "Fields"),
    "provenance": ("来源记录", "Provenance"),
    "archived_page": ("存档页面", "Archived page"),
    "archived_page_help": ("脚本已移除，在沙箱框架中显示，不从网络加载任何内容。",
                           "Scripts stripped, shown in a sandboxed frame that loads nothing "
                           "from the network."),
    "revisions": ("修订", "Revisions"),
    "inline": ("行内", "inline"),
    "side_by_side": ("并排", "side by side"),
    "show_boring": ("显示琐碎改动", "show boring changes"),
    "hide_boring": ("隐藏琐碎改动", "hide boring changes"),
    "boring_hidden": ("{n} 处琐碎改动（空白、全半角标点、日期或编辑行）已隐藏",
                      "{n} boring change(s) (whitespace, full/half-width punctuation, the "
                      "date or editor line) hidden"),
    "boring": ("琐碎", "boring"),
    "first_revision": ("首次存档", "first archived"),
    "events": ("删除与恢复", "Deletions and restorations"),
    "no_events": ("没有删除记录。", "Never seen gone."),
    "event_deleted": ("删除", "deleted"),
    "event_restored": ("恢复", "restored"),
    "cluster": ("其他网站的同一报道", "The story on other portals"),
    "origin": ("最早发布", "origin"),
    "this_copy": ("本篇", "this copy"),
    "similarity": ("相似度", "similarity"),
    "fetches": ("抓取记录", "Fetches"),
    "deleted_by_week": ("按周、按网站列出的已删除文章", "Deleted articles by week and site"),
    "deletion_rate": ("各网站删除率（每周删除数 ÷ 已存档数）",
                      "Deletion rate per site (deletions a week ÷ articles archived by then)"),
    "what_it_said": ("原文", "What it said"),
    "no_deletions": ("没有已删除的文章。", "No deleted articles."),
    "deleted_at": ("删除时间", "Deleted"),
    "published": ("发布", "Published"),
    "first_seen": ("首次存档", "First archived"),
    "last_seen": ("最近抓取", "Last fetched"),
    "reason": ("原因", "Reason"),
    "articles": ("文章", "Articles"),
    "by_published_day": ("按发布日", "By publication day"),
    "by_fetch_day": ("按抓取日", "By fetch day"),
    "coverage": ("每次抓取的字段覆盖率", "Field coverage per run"),
    "coverage_date": ("日期", "date"),
    "coverage_author": ("作者", "author"),
    "coverage_body": ("正文", "body"),
    "layout_warning": ("版面可能改变", "layout changed?"),
    "failures_by_kind": ("按类型统计的失败", "Failures by kind"),
    "revision_rate": ("修订率", "Revision rate"),
    "window_note": ("以下比率针对最近 {days} 天内发布的 {n} 篇文章。",
                    "Rates over the {n} articles published in the latest {days} days."),
    "deletion_rate_short": ("删除率", "Deletion rate"),
    "run": ("抓取", "Run"),
    "started": ("开始", "Started"),
    "finished": ("结束", "Finished"),
    "finish_reason": ("结束原因", "Finish reason"),
    "state_running": ("进行中", "running"),
    "state_finished": ("已完成", "finished"),
    "state_interrupted": ("已中断", "interrupted"),
    "new": ("新增", "new"),
    "changed": ("修改", "changed"),
    "unchanged": ("未变", "unchanged"),
    "failures": ("失败", "failures"),
    "pages": ("页面", "pages"),
    "language_switch": ("English", "中文"),
    "error": ("错误", "Error"),
    "not_found": ("找不到", "Not found"),
    "field_title": ("标题", "title"),
    "field_body": ("正文", "body"),
    "field_url": ("网址", "URL"),
    "field_published": ("发布时间", "published"),
    "field_updated": ("更新时间", "updated"),
    "field_authors": ("作者", "authors"),
    "field_source": ("来源", "source"),
    "field_editor": ("编辑", "editor"),
    "field_keywords": ("关键词", "keywords"),
    "field_section_path": ("栏目", "section path"),
    "field_summary": ("摘要", "summary"),
    "field_language": ("语言", "language"),
    "field_encoding": ("编码", "encoding"),
    "field_content_hash": ("内容哈希", "content hash"),
    "extractor_version": ("抽取器版本", "extractor version"),
    "raw_sha256": ("原始页面 SHA-256", "raw page SHA-256"),
    "encoding_evidence": ("编码依据", "encoding evidence"),
    "date_rule": ("日期规则", "date rule"),
    "evidence": ("抽取依据", "extraction evidence"),
    "status": ("状态", "status"),
    "outcome": ("结果", "outcome"),
    "fetched_at": ("抓取时间", "fetched"),
    "crawl_run": ("抓取批次", "crawl run"),
    "archive_summary": ("存档概况", "The archive"),
    "all_sites": ("全部网站", "All sites"),
    "granularity": ("粒度", "granularity"),
    "matches": ("匹配", "matches"),
    "period": ("时期", "period"),
}


def negotiate(explicit: str | None, accept_language: str | None) -> str:
    """`explicit` when it is one of LANGUAGES, else the first of the browser's preferences
    (by q-value) we speak, else DEFAULT."""
    if explicit in LANGUAGES:
        return explicit
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, n, tag.strip().lower()))
    for quality, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if quality < 0 and primary in LANGUAGES:
            return primary
    return DEFAULT


def translator(lang: str) -> Callable[..., str]:
    """A function giving the message `key` in `lang`, formatted with its keyword arguments."""
    index = LANGUAGES.index(lang)

    def translate(key: str, **values: object) -> str:
        message = MESSAGES[key][index]
        return message.format(**values) if values else message

    return translate

