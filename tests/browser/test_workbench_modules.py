"""The workbench's pure ES modules, run in Chromium and checked against Python: code-point
offsets against Python's str, grapheme clusters against the `regex` module's \\X."""

import bisect
import random

import pytest
import regex

pytestmark = [pytest.mark.browser]

TEXTS = [
    "Alice joined Acme.",
    "张伟在阿里巴巴工作，他住在杭州。",
    "👩‍👩‍👧‍👦 and 🇯🇵 then 👍🏽 Alice met Acme 🎉.",
    "école, cafe\u0301 and na\u0308ive",
    "مرحبا بالعالم، هذه جملة عربية.",
    "שלום עולם, זה משפט בעברית.",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 and 🏳️‍🌈 flags\n\tnext line",
    "日本語のテキスト、カタカナとひらがな。",
]


@pytest.fixture
def modules(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate("""async () => {
        window.offsets = await import('/static/js/workbench/offsets.js');
        window.model = await import('/static/js/workbench/model.js');
        window.tokens = await import('/static/js/workbench/tokens.js');
    }""")
    yield page
    context.close()


def utf16_starts(text: str) -> list[int]:
    starts, at = [], 0
    for ch in text:
        starts.append(at)
        at += 2 if ord(ch) > 0xFFFF else 1
    return starts


def grapheme_bounds(text: str) -> list[int]:
    bounds, at = [0], 0
    for cluster in regex.findall(r"\X", text):
        at += len(cluster.encode("utf-16-le")) // 2
        bounds.append(at)
    return bounds


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_match_python(modules, text):
    got = modules.evaluate("""(text) => {
        const ix = new offsets.TextIndex(text, 'en');
        const n = text.length, cp = [], back = [], fwd = [], u16 = [];
        for (let i = 0; i <= n; i++) {
            cp.push(ix.toCodePoint(i)); back.push(ix.snapBack(i)); fwd.push(ix.snapForward(i));
        }
        for (let c = 0; c <= ix.length; c++) u16.push(ix.toUtf16(c));
        return {cp, back, fwd, u16, length: ix.length};
    }""", text)
    starts = utf16_starts(text)
    n16 = len(text.encode("utf-16-le")) // 2
    assert got["length"] == len(text)
    assert got["cp"] == [bisect.bisect_right(starts, i) - 1 if i < n16 else len(text)
                         for i in range(n16 + 1)]
    assert got["u16"] == [*starts, n16]
    bounds = grapheme_bounds(text)
    assert got["back"] == [bounds[bisect.bisect_right(bounds, i) - 1] for i in range(n16 + 1)]
    assert got["fwd"] == [bounds[bisect.bisect_left(bounds, i)] for i in range(n16 + 1)]


def python_span(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The reference: snap outward to grapheme clusters, trim white space, to code points."""
    bounds, starts = grapheme_bounds(text), utf16_starts(text)
    n16 = bounds[-1]
    lo = bounds[bisect.bisect_right(bounds, min(a, b)) - 1]
    hi = bounds[bisect.bisect_left(bounds, max(a, b))]
    to_cp = {u: i for i, u in enumerate(starts)} | {n16: len(text)}
    start, end = to_cp[lo], to_cp[hi]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


@pytest.mark.parametrize("text", TEXTS)
def test_selections_snap_to_whole_clusters(modules, text):
    rng = random.Random(text)
    n16 = len(text.encode("utf-16-le")) // 2
    pairs = [(rng.randrange(n16 + 1), rng.randrange(n16 + 1)) for _ in range(200)]
    got = modules.evaluate("""([text, pairs]) => {
        const ix = new offsets.TextIndex(text, 'en');
        return pairs.map(([a, b]) => { const s = ix.span(a, b); return s && [s.start, s.end]; });
    }""", [text, pairs])
    expected = [python_span(text, a, b) for a, b in pairs]
    assert [tuple(g) if g else None for g in got] == expected
    for span in filter(None, expected):  # never a split cluster
        piece = text[span[0]:span[1]]
        assert "".join(regex.findall(r"\X", piece)) == piece
        assert regex.findall(r"\X", text[:span[0]]) + regex.findall(r"\X", piece) == \
            regex.findall(r"\X", text[:span[1]])


SCHEMA = """new model.Schema([
    {kind: 'entity', name: 'PER', shortcut: 'p'}, {kind: 'entity', name: 'ORG', shortcut: 'o'},
    {kind: 'relation', name: 'works_for', head: ['PER'], tail: ['ORG'], directed: true},
    {kind: 'sentiment', name: 'negative'}, {kind: 'sentiment', name: 'positive'}],
    {allow_overlap: ALLOW, multi_label: MULTI})"""


def run_model(page, body: str, allow=False, multi=False):
    schema = SCHEMA.replace("ALLOW", str(allow).lower()).replace("MULTI", str(multi).lower())
    return page.evaluate(f"() => {{ const schema = {schema}; const m = model; {body} }}")


def test_model_rules(modules):
    result = run_model(modules, """
        let c = m.emptyContent(false);
        const a = m.addEntity(c, schema, {start: 0, end: 5, label: 'PER'}); c = a.content;
        const clash = m.addEntity(c, schema, {start: 3, end: 8, label: 'ORG'});
        const b = m.addEntity(c, schema, {start: 10, end: 14, label: 'ORG'}); c = b.content;
        const wrongWay = m.addRelation(c, schema, {head: b.id, tail: a.id, label: 'works_for'});
        const rel = m.addRelation(c, schema, {head: a.id, tail: b.id, label: 'works_for'});
        const relabel = m.relabelEntity(rel.content, schema, a.id, 'ORG');
        const removed = m.removeEntity(rel.content, a.id).content;
        return {ids: [a.id, b.id], clash: clash.error, wrongWay: wrongWay.error,
                relations: rel.content.relations, relabel: relabel.error,
                afterRemove: [removed.entities.length, removed.relations.length]};
    """)
    assert result["ids"] == ["T1", "T2"]
    assert "does not allow overlapping spans" in result["clash"]
    assert "does not allow a ORG entity at its head" in result["wrongWay"]
    assert result["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert "does not allow a ORG entity at its head" in result["relabel"]
    assert result["afterRemove"] == [1, 0]  # removing an entity removes its relations
    assert run_model(modules, """
        const c = m.emptyContent(false);
        return m.addEntity(c, schema, {start: 3, end: 8, label: 'ORG'}).content.entities
            .concat(m.addEntity(m.addEntity(c, schema, {start: 0, end: 9, label: 'PER'}).content,
                    schema, {start: 3, end: 8, label: 'ORG'}).content.entities).length;
    """, allow=True) == 3


def test_sentiment_single_and_multi(modules):
    single = run_model(modules, """
        let c = m.emptyContent(false);
        c = m.toggleSentiment(c, schema, 'positive').content; const one = c.sentiment;
        c = m.toggleSentiment(c, schema, 'negative').content; const two = c.sentiment;
        c = m.toggleSentiment(c, schema, 'negative').content;
        return [one, two, c.sentiment];""")
    assert single == ["positive", "negative", None]
    multi = run_model(modules, """
        let c = m.emptyContent(true);
        c = m.toggleSentiment(c, schema, 'positive').content;
        c = m.toggleSentiment(c, schema, 'negative').content; const both = c.sentiment;
        c = m.toggleSentiment(c, schema, 'positive').content;
        return [both, c.sentiment];""", multi=True)
    assert multi == [["negative", "positive"], ["negative"]]


def test_undo_redo_and_suggestions(modules):
    result = run_model(modules, """
        const h = new m.History(m.emptyContent(false));
        h.push(m.addEntity(h.current, schema, {start: 0, end: 5, label: 'PER'}).content);
        h.push(m.addEntity(h.current, schema, {start: 6, end: 9, label: 'ORG'}).content);
        const undone = h.undo().entities.length, redone = h.redo().entities.length;
        h.undo(); h.push(m.emptyContent(false));
        const by = (agent, score) => ({agent, model_version: '1', score});
        const groups = m.groupSuggestions({
            entities: [{start: 0, end: 5, label: 'PER', ...by('crf', 0.5)},
                       {start: 0, end: 5, label: 'PER', ...by('dictionary', 0.9)},
                       {start: 10, end: 14, label: 'ORG', ...by('crf', 0.8)},
                       {start: 20, end: 24, label: 'ORG', ...by('crf', 0.7)}],
            relations: [{head: {start: 0, end: 5}, tail: {start: 10, end: 14},
                         label: 'works_for', ...by('relation', 0.6)}],
            sentiment: [{label: 'negative', ...by('sentiment', 0.4)},
                        {label: 'positive', ...by('sentiment', 0.8)}]});
        const rejected = new Set(['20:24:ORG']);
        const count = (p) => p.entities.length + p.relations.length + p.sentiment.length;
        const pending = m.pendingSuggestions(h.current, schema, groups, rejected);
        const one = m.acceptSuggestions(h.current, schema, groups, rejected,
                                        new Set(['rel:0:5:10:14:works_for']));
        const all = m.acceptSuggestions(h.current, schema, groups, rejected);
        return {undone, redone, canRedo: h.future.length, pending: count(pending),
                merged: groups.entities[0].by.map((b) => b.agent), score: groups.entities[0].score,
                one: one.content.entities.length + one.content.relations.length,
                oneTaken: one.accepted.map((g) => g.key),
                entities: all.content.entities.map((e) => e.label),
                relations: all.content.relations.length, sentiment: all.content.sentiment,
                after: count(m.pendingSuggestions(all.content, schema, groups, rejected))};""")
    assert (result["undone"], result["redone"], result["canRedo"]) == (1, 2, 0)
    assert result["pending"] == 5  # two agents' PER is one suggestion; one ORG is rejected
    assert (result["merged"], result["score"]) == (["crf", "dictionary"], 0.9)
    # accepting a relation brings in the suggested entities at its ends
    assert result["one"] == 3
    assert result["oneTaken"] == ["0:5:PER", "10:14:ORG", "rel:0:5:10:14:works_for"]
    assert (result["entities"], result["relations"], result["sentiment"]) == (
        ["PER", "ORG"], 1, "positive")  # the best sentiment, one label allowed
    assert result["after"] == 0


def test_label_all_occurrences_follows_the_servers_token_rule(modules):
    from annotation.pure.assist.dictionary import occurrences
    from annotation.pure.tokens import tokenize

    text = "👍🏽 张伟在阿里巴巴工作。Acme hired Acmes; Acme-Labs and Acme, 阿里巴巴 ①② x_y."
    got = modules.evaluate("""(text) => {
        const ix = new offsets.TextIndex(text, 'en');
        const t = new tokens.Tokens(ix);
        const cp = ([a, b]) => [ix.toCodePoint(a), ix.toCodePoint(b)];
        const occ = (word) => { const at = [...text].join('').indexOf(word);
            const s = ix.toCodePoint(at); return t.occurrences(s, s + [...word].length); };
        return {tokens: tokens.tokenize(text).map(cp), acme: occ('Acme'), ali: occ('阿里巴巴'),
                bad: occ('cme')};
    }""", text)
    assert got["tokens"] == [list(t) for t in tokenize(text)]
    for word in ("Acme", "阿里巴巴", "cme"):
        key = {"Acme": "acme", "阿里巴巴": "ali", "cme": "bad"}[word]
        assert [(o["start"], o["end"]) for o in got[key]] == occurrences(text, word)
    assert len(got["acme"]) == 3
    for text_ in TEXTS:
        assert modules.evaluate(
            "(text) => { const ix = new offsets.TextIndex(text, 'en'); return tokens"
            ".tokenize(text).map(([a, b]) => [ix.toCodePoint(a), ix.toCodePoint(b)]); }",
            text_) == [list(t) for t in tokenize(text_)]
    result = run_model(modules, """
        let c = m.emptyContent(false);
        c = m.addEntity(c, schema, {start: 0, end: 4, label: 'ORG'}).content;
        c = m.addEntity(c, schema, {start: 10, end: 16, label: 'PER'}).content;
        const spans = [{start: 0, end: 4}, {start: 12, end: 16}, {start: 20, end: 24}];
        const r = m.labelOccurrences(c, schema, 'T1', spans);
        return {added: r.added, entities: r.content.entities.map((e) => [e.start, e.label])};""")
    assert result == {"added": 1, "entities": [[0, "ORG"], [10, "PER"], [20, "ORG"]]}


def _keyed(content):
    at = {e["id"]: (e["start"], e["end"], e["label"]) for e in content["entities"]}
    return (sorted(at.values()),
            sorted((at[r["head"]], at[r["tail"]], r["label"]) for r in content["relations"]),
            content["sentiment"])


def _random_content(rng, prefix):
    spans = sorted(rng.sample(range(0, 200, 4), rng.randint(0, 8)))
    entities = [{"id": f"{prefix}{i}", "start": s, "end": s + rng.randint(1, 3),
                 "label": rng.choice(["PER", "ORG"])} for i, s in enumerate(spans)]
    relations = []
    for _ in range(rng.randint(0, 4)):
        if len(entities) >= 2:
            h, t = rng.sample(entities, 2)
            relations.append({"head": h["id"], "tail": t["id"], "label": "works_for"})
    relations = list({(r["head"], r["tail"]): r for r in relations}.values())
    return {"entities": entities, "relations": relations,
            "sentiment": rng.choice([None, "positive", "negative"])}


def test_a_saves_changes_rebuild_the_edited_annotation_on_the_server(modules):
    """contentChanges (the browser) then apply_changes (the server), on random pairs of
    annotations: the server ends with what the browser has."""
    from annotation.pure.changes import apply_changes

    rng = random.Random(7)
    for _ in range(200):
        last = _random_content(rng, "T")
        nxt = _random_content(rng, "B") if rng.random() < 0.3 else {
            **last, "entities": [e for e in last["entities"] if rng.random() < 0.8]
            + _random_content(rng, "N")["entities"][:2]}
        ids = {e["id"] for e in nxt["entities"]}
        keys = [(e["start"], e["end"], e["label"]) for e in nxt["entities"]]
        if len(set(keys)) < len(keys):
            continue
        nxt["relations"] = [r for r in nxt["relations"] if r["head"] in ids and r["tail"] in ids]
        changes = modules.evaluate("([a, b]) => model.contentChanges(a, b)", [last, nxt])
        assert changes is not None
        assert _keyed(apply_changes(last, changes)) == _keyed(nxt)


@pytest.mark.parametrize("text", [
    "😀 马云在阿里巴巴工作，他住在杭州。", "𠀀𠀁 中华人民共和国 👩‍👩‍👧‍👦 北京\u0301大学 Alice",
    "Alice met Bob."])
def test_tokens_joined_by_the_servers_words_are_its_jieba_tokens(modules, text):
    from annotation.pure.segment import han_words
    from annotation.pure.tokens import tokenize

    words = han_words(text).ravel().tolist()
    got = modules.evaluate("""([text, words]) => {
        const ix = new offsets.TextIndex(text, 'zh-hans');
        return new tokens.Tokens(ix, words).list.map(
            ([a, b]) => [ix.toCodePoint(a), ix.toCodePoint(b)]);
    }""", [text, words])
    assert got == [list(t) for t in tokenize(text, "jieba")]
