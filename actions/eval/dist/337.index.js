export const id = 337;
export const ids = [337];
export const modules = {

/***/ 89337:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DatasetChecksFailedError: () => (/* reexport */ DatasetChecksFailedError),
  checkSuiteDatasets: () => (/* reexport */ checkSuiteDatasets),
  renderCheckMarkdown: () => (/* reexport */ renderCheckMarkdown)
});

// UNUSED EXPORTS: ANNOTATION_CHECK_PASSED, BAD_REASONS, CHECK_FILE, CHECK_FILE_MAX_BYTES, CHECK_RESULT_LIMITS, CONTENT_TYPES, DEFAULT_CASES_FILE, DEFAULT_MAX_BAD_LINES, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_MODELS, DatasetMovedError, EXPOSITION_FORMATS, FEEDBACK_ID_PREFIX, FeedbackRejectedError, INPUT_VAR, JsonSchemaFileError, LANGUAGE_LABELS, MAX_CATEGORIES, MAX_LABEL_VALUE_LENGTH, MAX_RECORD_LINE_BYTES, MAX_TABLE_CATEGORIES, MAX_VOCABULARY, MISSING_CATEGORY, MONITOR_SIGNATURE_HEADER, MetricSet, MetricsError, NoCaseFilesError, NoDeclaredChecksError, OTHER_CATEGORY, PII_PLACEHOLDER, PSI_FLOOR, PUSH_DEFAULTS, PushgatewayError, RATINGS, RECORD_FORMATS, REQUEST_ID_PATTERN, RESERVED_SUFFIXES, RESULT_KIND_DESCRIPTIONS, RedactedCopyError, SourceResolver, addRecord, againstResultSchema, alertReasons, alertSamples, alertTitle, analyzeDrift, analyzeFeature, badLineSchema, badReasonSchema, baselineRun, binShares, bool, boundLabelValue, cardScheme, caseLocationSchema, categoricalPsi, characterLength, checkDataset, checkEntrySchema, checkGroupingAgainstSeries, checkLabelName, checkMetricName, checkResultSchema, checkSamples, checkSubjectSchema, checkedFileSchema, comparisonSamples, contaminationCheckResultSchema, contaminationFindingSchema, dataSourceSchema, datasetInput, defineFamily, describeCheckResult, describeFailure, describeMonitor, detectResultKind, distributionsSchema, driftResultSchema, driftSamples, driftTestSchema, duplicatePairSchema, duplicatesCheckResultSchema, environmentMonitorSchema, escapeHelp, escapeLabelValue, evalSamples, failureReason, families, featureDriftSchema, feedbackEventSchema, feedbackIngestResultSchema, fieldValue, findPii, formatValue, groupingPath, ibanChecksumValid, ibanValid, identifyLanguage, ingestFeedback, isVersionOf, labelDistributionSchema, labelsCheckResultSchema, lengthStatsSchema, luhnValid, maskPii, metricCheckSchema, modelName, monitor, monitorAlertStateSchema, monitorMarkdown, monitorNotificationSchema, monitorOutcomeSchema, monitorResultInputSchema, monitorResultSamples, monitorResultSchema, monitorSummaryMarkdown, monitorsOf, newColumn, notifyMonitor, numericPsi, parseComparison, parseEvalSummary, parseFeedbackLine, parseResult, piiCheckResultSchema, piiFindingSchema, planQuality, promotionSamples, psiOfShares, pushMetrics, pushgatewayBaseUrl, qualityResultSchema, qualitySamples, quantileEdges, readCheckRecords, readCompareReport, readRecords, readResultDocuments, recordCheck, recordFormat, redactPii, redactedCopySchema, renderExposition, requireResultKind, requiredCheckResultSchema, runCheck, runQuality, sampleName, schemaCheckResultSchema, sendMonitorWebhook, servingVersion, tokenize, versionChecked, versionDeclaredChecked, violationSchema, webhookPayload

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ../../packages/core/src/index.ts + 23 modules
var src = __webpack_require__(17192);
;// CONCATENATED MODULE: ../../packages/operate/src/shared/hash-set64.ts
/**
 * A set of 64-bit hashes (each given as two 32-bit halves), optionally with a 32-bit value each,
 * in typed arrays: no object per key, nothing for the garbage collector to walk, so tens of
 * millions of n-grams (check) or a million feedback ids (ingest) fit where a `Set<string>` would
 * not. Open addressing with linear probing over a power-of-two table. Each slot's tag (its value
 * + 1, or 1 in a set without values; 0 when empty) lives in an array of its own, so a lookup that
 * misses, the contamination check's usual case, mostly reads that one dense array. `maxLoad`
 * trades memory for speed: at 0.5 (the default) a miss probes about 2.5 slots; at 0.75 about 8.5,
 * for a third less memory. With values, the first value stored for a key is kept.
 */
class hash_set64_HashSet64 {
    #maxLoad;
    #values;
    // Int32: V8 reads int32 elements as small integers, where a Uint32 ≥ 2^31 would be a boxed double.
    #hi;
    #lo;
    #tags;
    #size = 0;
    constructor(initialCapacity = 4096, options = {}) {
        this.#values = options.values ?? false;
        this.#maxLoad = options.maxLoad ?? 0.5;
        if (!(this.#maxLoad > 0 && this.#maxLoad <= 0.9))
            throw new RangeError(`maxLoad ${this.#maxLoad}: expected 0 < maxLoad ≤ 0.9`);
        let capacity = 16;
        while (capacity * this.#maxLoad < initialCapacity)
            capacity *= 2;
        this.#hi = new Int32Array(capacity);
        this.#lo = new Int32Array(capacity);
        this.#tags = this.#values ? new Uint32Array(capacity) : new Uint8Array(capacity);
    }
    get size() {
        return this.#size;
    }
    /** Bytes held by the table (for logs and benchmarks). */
    get bytes() {
        return this.#hi.byteLength + this.#lo.byteLength + this.#tags.byteLength;
    }
    has(hi, lo) {
        return this.get(hi, lo) >= 0;
    }
    /** Adds the key (with `value`, 0 ≤ value < 2^32 − 1, when the set holds values) unless present; true when it was added. */
    add(hi, lo, value = 0) {
        // value + 1 is the slot's tag: 2^32 − 1 would wrap to 0, "empty".
        if (this.#values && !(Number.isInteger(value) && value >= 0 && value < 0xffffffff))
            throw new RangeError(`value ${value}: expected an integer 0 ≤ value < 2^32 − 1`);
        if (this.#size + 1 > this.#tags.length * this.#maxLoad)
            this.#grow();
        const h = hi | 0;
        const l = lo | 0;
        const mask = this.#tags.length - 1;
        for (let slot = home(h, l, mask);; slot = (slot + 1) & mask) {
            if (this.#tags[slot] === 0) {
                this.#hi[slot] = h;
                this.#lo[slot] = l;
                this.#tags[slot] = this.#values ? value + 1 : 1;
                this.#size++;
                return true;
            }
            if (this.#hi[slot] === h && this.#lo[slot] === l)
                return false;
        }
    }
    /** The value stored with the key (0 in a set without values), or -1 when it is absent. */
    get(hi, lo) {
        const h = hi | 0;
        const l = lo | 0;
        const tags = this.#tags;
        const mask = tags.length - 1;
        for (let slot = home(h, l, mask);; slot = (slot + 1) & mask) {
            const tag = tags[slot];
            if (tag === 0)
                return -1;
            if (this.#hi[slot] === h && this.#lo[slot] === l)
                return tag - 1;
        }
    }
    #grow() {
        const hi = this.#hi;
        const lo = this.#lo;
        const tags = this.#tags;
        const capacity = 2 * tags.length;
        this.#hi = new Int32Array(capacity);
        this.#lo = new Int32Array(capacity);
        this.#tags = this.#values ? new Uint32Array(capacity) : new Uint8Array(capacity);
        const mask = capacity - 1;
        for (let i = 0; i < tags.length; i++) {
            const tag = tags[i];
            if (tag === 0)
                continue;
            let slot = home(hi[i], lo[i], mask);
            while (this.#tags[slot] !== 0)
                slot = (slot + 1) & mask;
            this.#hi[slot] = hi[i];
            this.#lo[slot] = lo[i];
            this.#tags[slot] = tag;
        }
    }
}
/** A key's first slot: both halves mixed (keys that share a half still spread), masked to the table. */
function home(hi, lo, mask) {
    return (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/band-index.ts
/**
 * LSH buckets of the version checked against, in memory: band key → the cases with that key, as
 * an open-addressing table of keys with linked lists in typed arrays (8 bytes an entry, no object
 * per case). Sized by that version, which is the one structure allowed to grow with a dataset.
 */
class BandIndex {
    #keys = new Int32Array(1024);
    /** Head entry + 1 per slot; 0 = empty slot. */
    #heads = new Int32Array(1024);
    #next = new Int32Array(1024);
    #cases = new Uint32Array(1024);
    #entries = 0;
    #slots = 0;
    add(key, caseIndex) {
        if (2 * (this.#slots + 1) > this.#heads.length)
            this.#grow();
        if (this.#entries === this.#next.length) {
            const next = new Int32Array(2 * this.#next.length);
            next.set(this.#next);
            this.#next = next;
            const cases = new Uint32Array(2 * this.#cases.length);
            cases.set(this.#cases);
            this.#cases = cases;
        }
        const entry = this.#entries++;
        this.#cases[entry] = caseIndex;
        const mask = this.#heads.length - 1;
        for (let slot = key & mask;; slot = (slot + 1) & mask) {
            const head = this.#heads[slot];
            if (head === 0) {
                this.#keys[slot] = key;
                this.#heads[slot] = entry + 1;
                this.#next[entry] = -1;
                this.#slots++;
                return;
            }
            if (this.#keys[slot] === (key | 0)) {
                this.#next[entry] = head - 1;
                this.#heads[slot] = entry + 1;
                return;
            }
        }
    }
    /** Calls `visit` with each case filed under `key` (most recent first) until it returns false. */
    forEach(key, visit) {
        const mask = this.#heads.length - 1;
        for (let slot = key & mask;; slot = (slot + 1) & mask) {
            const head = this.#heads[slot];
            if (head === 0)
                return;
            if (this.#keys[slot] === (key | 0)) {
                for (let entry = head - 1; entry >= 0; entry = this.#next[entry])
                    if (!visit(this.#cases[entry]))
                        return;
                return;
            }
        }
    }
    #grow() {
        const keys = this.#keys;
        const heads = this.#heads;
        this.#keys = new Int32Array(2 * keys.length);
        this.#heads = new Int32Array(2 * heads.length);
        const mask = this.#heads.length - 1;
        for (let i = 0; i < heads.length; i++) {
            if (heads[i] === 0)
                continue;
            let slot = keys[i] & mask;
            while (this.#heads[slot] !== 0)
                slot = (slot + 1) & mask;
            this.#keys[slot] = keys[i];
            this.#heads[slot] = heads[i];
        }
    }
}

// EXTERNAL MODULE: ../../packages/eval/src/index.ts + 121 modules
var eval_src = __webpack_require__(86857);
// EXTERNAL MODULE: ../../packages/store/src/index.ts + 32 modules
var store_src = __webpack_require__(27376);
;// CONCATENATED MODULE: ../../packages/operate/src/check/errors.ts

/** The JSON Schema file of `checks.schema` cannot be read or used (exit 2). */
class JsonSchemaFileError extends src/* InputError */.dzK {
    file;
    constructor(file, expected, options) {
        super(`checks.schema ${file}: ${expected}`, options);
        this.file = file;
    }
}
/** The redacted copy cannot be written, or could not be verified free of PII (exit 2; nothing is left behind). */
class RedactedCopyError extends src/* InputError */.dzK {
    path;
    constructor(path, expected, options) {
        super(`redacted copy ${path}: ${expected}`, options);
        this.path = path;
    }
}
/** A dataset to check (or to check against) has no case files to read (exit 2). */
class NoCaseFilesError extends src/* InputError */.dzK {
    constructor(what, detail) {
        super(`${what}: no case files to check (${detail})`);
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/case-files.ts




/** Files at a dataset's root that are the project's, not data. */
const PROJECT_FILES = new Set([
    "llmops.yaml",
    "llmops.yml",
    "package.json",
    "package-lock.json",
    "pnpm-lock.yaml",
    "tsconfig.json",
]);
/**
 * The case files of a dataset directory (or the one file given): those `globs` match (relative to
 * the root), else every file whose extension names a case format (.jsonl, .ndjson, .json, .csv,
 * .yaml, .yml). Other files are listed as skipped. Symbolic links and special files are refused,
 * as `llmops version` refuses them (a dataset is regular files).
 */
async function selectCaseFiles(root, globs, what) {
    const files = [];
    const skipped = [];
    for (const file of await (0,store_src/* listFiles */.CS)(root)) {
        const format = (0,eval_src/* caseFileFormat */.AXD)(file.title);
        if (globs && !globs.some((glob) => (0,external_node_path_.matchesGlob)(file.title, glob))) {
            skipped.push({ path: file.title, reason: "not matched by checks.files" });
            continue;
        }
        if (!format) {
            skipped.push({ path: file.title, reason: "not a case file (.jsonl, .ndjson, .json, .csv, .yaml, .yml)" });
            continue;
        }
        // A project's own config and manifests share the case formats' extensions; a dataset at the
        // project root (`path: .`) must not be judged by them. `checks.files` can still name them.
        if (!globs && PROJECT_FILES.has(file.title)) {
            skipped.push({ path: file.title, reason: "a project file, not cases (name it in checks.files to check it)" });
            continue;
        }
        files.push({ path: file.path, title: file.title, size: file.size, format });
    }
    if (files.length === 0) {
        throw new NoCaseFilesError(what, globs ? `checks.files ${globs.join(", ")} matched none` : "expected .jsonl, .ndjson, .json, .csv, .yaml or .yml files");
    }
    return { files, skipped };
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
;// CONCATENATED MODULE: ../../packages/operate/src/check/case-table.ts


/** Bytes of a case id kept for listings (longer ids are cut at a character boundary). */
const ID_BYTES = 60;
const HEADER_BYTES = 4 + 4 + 16 + 4 + ID_BYTES; // file, line, exact hash, id length, id
/**
 * What the checks keep of each case, on disk in fixed-size records (file, line, a 128-bit hash of
 * its texts, its id cut to 60 bytes, its packed MinHash signature) rather than in memory: a run
 * holds a write buffer and reads back single records, so memory does not grow with the number of
 * cases. The file lives in the run's temporary directory.
 */
class CaseTable {
    recordBytes;
    permutations;
    #fd;
    #buffer;
    #buffered = 0;
    #flushedRecords = 0;
    #count = 0;
    #read;
    #encoder = new TextEncoder();
    constructor(dir, name, permutations) {
        this.permutations = permutations;
        this.recordBytes = HEADER_BYTES + 2 * permutations;
        this.#fd = (0,external_node_fs_.openSync)((0,external_node_path_.join)(dir, `${name}.cases`), "w+");
        this.#buffer = Buffer.alloc(Math.max(1, Math.floor((1024 * 1024) / this.recordBytes)) * this.recordBytes);
        this.#read = Buffer.alloc(this.recordBytes);
    }
    get count() {
        return this.#count;
    }
    /** Appends a case; returns its index. `hash` is 4 × 32 bits; `signature` the packed 16-bit MinHash (or undefined: none). */
    append(file, line, id, hash, signature) {
        if (this.#buffered + this.recordBytes > this.#buffer.length)
            this.flush();
        const at = this.#buffered;
        const b = this.#buffer;
        b.writeUInt32LE(file, at);
        b.writeUInt32LE(line, at + 4);
        for (let i = 0; i < 4; i++)
            b.writeUInt32LE(hash[i] >>> 0, at + 8 + 4 * i);
        const { written } = this.#encoder.encodeInto(id, b.subarray(at + 28, at + 28 + ID_BYTES));
        b.writeUInt32LE(written, at + 24);
        const sig = at + HEADER_BYTES;
        if (signature)
            for (let i = 0; i < this.permutations; i++)
                b.writeUInt16LE(signature[i], sig + 2 * i);
        else
            b.fill(0, sig, sig + 2 * this.permutations);
        this.#buffered += this.recordBytes;
        return this.#count++;
    }
    flush() {
        let offset = 0;
        while (offset < this.#buffered) {
            offset += (0,external_node_fs_.writeSync)(this.#fd, this.#buffer, offset, this.#buffered - offset, this.#flushedRecords * this.recordBytes + offset);
        }
        this.#flushedRecords += this.#buffered / this.recordBytes;
        this.#buffered = 0;
    }
    #load(index) {
        if (index >= this.#flushedRecords)
            this.flush();
        const position = index * this.recordBytes;
        let done = 0;
        while (done < this.recordBytes) {
            const n = (0,external_node_fs_.readSync)(this.#fd, this.#read, done, this.recordBytes - done, position + done);
            if (n === 0)
                throw new Error(`case table: record ${index} is past the end`);
            done += n;
        }
        return this.#read;
    }
    record(index) {
        const b = this.#load(index);
        const length = b.readUInt32LE(24);
        return { file: b.readUInt32LE(0), line: b.readUInt32LE(4), id: b.toString("utf8", 28, 28 + length) };
    }
    /** The 128-bit text hash of a case into `out` (4 words). */
    hash(index, out) {
        const b = this.#load(index);
        for (let i = 0; i < 4; i++)
            out[i] = b.readUInt32LE(8 + 4 * i);
    }
    /** The packed signature of a case into `out` at `offset`. */
    signature(index, out, offset = 0) {
        const b = this.#load(index);
        for (let i = 0; i < this.permutations; i++)
            out[offset + i] = b.readUInt16LE(HEADER_BYTES + 2 * i);
    }
    close() {
        (0,external_node_fs_.closeSync)(this.#fd);
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/case-view.ts


const STRUCTURED = new Set(["id", "vars", "expected", "tags", "metadata"]);
function isRecord(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
/**
 * A row as an eval case, read by eval's own rules (`validateCaseRow`: `{vars, expected, id, tags}`,
 * or a flat row whose other keys are vars), so a check sees exactly what an eval would. A row that
 * breaks the case schema still gets a best-effort view (its own vars and expected) for the text
 * checks, with `error` saying what the schema expected. Undefined for a row that is not an object.
 */
function caseViewOf(row, file) {
    const value = row.value;
    if (!isRecord(value))
        return undefined;
    // No per-row path string: converting each row's number to text fills V8's number-string cache,
    // whose strings outlive the young generation and grow the heap on long runs. Findings carry
    // file:line instead.
    const raw = row.raw ?? { value, yamlPath: "", locate: () => ({ file, line: row.line, column: 1 }) };
    try {
        const config = (0,eval_src/* validateCaseRow */.LhU)(raw);
        const view = { id: config.id ?? (0,eval_src/* caseId */.I3e)(config.vars, config.expected), vars: config.vars, tags: config.tags };
        if (config.expected !== undefined)
            view.expected = config.expected;
        if (config.metadata !== undefined)
            view.metadata = config.metadata;
        return { view };
    }
    catch (error) {
        if (!(error instanceof src/* ConfigError */.xLc))
            throw error;
        const source = raw.value;
        let vars;
        if (isRecord(source.vars))
            vars = source.vars;
        else {
            vars = Object.create(null);
            for (const key of Object.keys(source))
                if (!STRUCTURED.has(key))
                    vars[key] = source[key];
        }
        const view = { id: typeof source.id === "string" ? source.id : "", vars, tags: {} };
        if (Object.hasOwn(source, "expected"))
            view.expected = source.expected;
        const at = error.yamlPath.replace(/^\./, "");
        return { view, error: `${at ? `${at}: ` : ""}${error.expected}` };
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/fields.ts
/**
 * Paths into rows and cases. A case (eval's shape: `vars`, `expected`, `id`, `tags`, `metadata`)
 * is addressed as `question` (a var), `vars.question`, `expected`, `tags.lang`, with `.` into
 * objects and `*` for every key or element. Lookups use own properties only, so a path such as
 * `constructor` or `__proto__` reads what the row holds, never what objects inherit.
 */
/** Rows nested deeper than this are reported and not looked into (a walk must not exhaust the stack or the time). */
const MAX_NESTING = 64;
const CASE_ROOTS = new Set(["vars", "expected", "id", "tags", "metadata"]);
function parseFieldPath(path) {
    return path.split(".");
}
function fields_isRecord(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
/** `a.b`, `a["odd key"]`, `a[3]`: how reports name a place in a row. */
function joinPath(parent, key) {
    if (typeof key === "number")
        return `${parent}[${key}]`;
    if (/^[A-Za-z_$][\w$-]*$/.test(key))
        return parent === "" ? key : `${parent}.${key}`;
    return `${parent}[${JSON.stringify(key)}]`;
}
/** The values a field path names in a case (several with `*`); none when absent. */
function resolveField(view, segments) {
    const [first, ...rest] = segments;
    if (first === undefined)
        return [];
    let start;
    let remaining;
    if (CASE_ROOTS.has(first)) {
        const root = first === "vars"
            ? view.vars
            : first === "expected"
                ? view.expected
                : first === "id"
                    ? view.id
                    : first === "tags"
                        ? view.tags
                        : view.metadata;
        if (root === undefined)
            return [];
        start = { path: first, value: root };
        remaining = rest;
    }
    else {
        start = { path: "vars", value: view.vars };
        remaining = segments;
    }
    let current = [start];
    for (const segment of remaining) {
        const next = [];
        for (const { path, value } of current) {
            if (segment === "*") {
                if (Array.isArray(value))
                    for (let i = 0; i < value.length; i++)
                        next.push({ path: joinPath(path, i), value: value[i] });
                else if (fields_isRecord(value))
                    for (const key of Object.keys(value))
                        next.push({ path: joinPath(path, key), value: value[key] });
            }
            else if (Array.isArray(value) && /^\d+$/.test(segment)) {
                const index = Number(segment);
                if (index < value.length)
                    next.push({ path: joinPath(path, index), value: value[index] });
            }
            else if (fields_isRecord(value) && Object.hasOwn(value, segment)) {
                next.push({ path: joinPath(path, segment), value: value[segment] });
            }
        }
        current = next;
        if (current.length === 0)
            break;
    }
    return current;
}
/**
 * Walks the strings under a value (array elements and object values, depth first, in the order
 * written; with `keys`, object keys too), calling `visit` with each string and the walker, whose
 * `path()` builds the string's path only when asked: a scan that finds nothing builds none. One
 * walker serves a whole run, so walking a row allocates nothing of its own. Callers bound the
 * nesting with nestingDepth first; levels deeper than MAX_NESTING are not entered.
 */
class StringWalker {
    #visit;
    #trail = [];
    #root = "";
    #keys = false;
    #atKey = false;
    constructor(visit) {
        this.#visit = visit;
    }
    walk(value, root, keys = false) {
        this.#root = root;
        this.#keys = keys;
        this.#trail.length = 0;
        this.#walk(value, 0);
    }
    /** The current string's path (`vars.messages[2].content`; a key's path ends in ` (key)`). */
    path() {
        let out = this.#root;
        for (const step of this.#trail)
            out = joinPath(out, step);
        return this.#atKey ? `${out} (key)` : out;
    }
    /** The current string's root and path steps: what identifies a field without building its path. */
    get root() {
        return this.#root;
    }
    get trail() {
        return this.#trail;
    }
    #walk(v, depth) {
        if (typeof v === "string") {
            this.#visit(v, this);
            return;
        }
        if (v === null || typeof v !== "object" || depth > MAX_NESTING)
            return;
        const trail = this.#trail;
        if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
                trail.push(i);
                this.#walk(v[i], depth + 1);
                trail.pop();
            }
            return;
        }
        for (const key in v) {
            if (!Object.hasOwn(v, key))
                continue;
            trail.push(key);
            if (this.#keys) {
                this.#atKey = true;
                this.#visit(key, this);
                this.#atKey = false;
            }
            this.#walk(v[key], depth + 1);
            trail.pop();
        }
    }
}
/** Calls `visit` with every string under `value` and its path (a convenience over StringWalker, for cold paths). */
function visitStrings(value, path, visit, keys = false) {
    new StringWalker((text, walker) => visit(text, () => walker.path())).walk(value, path, keys);
}
/** How deeply arrays and objects nest in `value`, counted up to `limit + 1` (then it stops looking). */
function nestingDepth(value, limit = MAX_NESTING) {
    let deepest = 0;
    const stack = [{ value, depth: 0 }];
    while (stack.length > 0) {
        const { value: v, depth } = stack.pop();
        if (v === null || typeof v !== "object")
            continue;
        const level = depth + 1;
        if (level > deepest)
            deepest = level;
        if (deepest > limit)
            return deepest;
        for (const child of Array.isArray(v) ? v : Object.values(v)) {
            if (child !== null && typeof child === "object")
                stack.push({ value: child, depth: level });
        }
    }
    return deepest;
}
/**
 * Calls `visit` with each text of a case the text checks read: with `fields`, the strings at those
 * paths (numbers and booleans as written, strings inside objects and arrays too); by default every
 * string in `vars` and `expected`. `walker` must have been made with `visit` as its callback.
 * Returns how many texts there were.
 */
function forEachCaseText(view, fields, walker, visitScalar) {
    if (!fields) {
        walker.walk(view.vars, "vars");
        if (view.expected !== undefined)
            walker.walk(view.expected, "expected");
        return;
    }
    for (const segments of fields) {
        for (const found of resolveField(view, segments)) {
            if (typeof found.value === "number" || typeof found.value === "boolean")
                visitScalar(String(found.value), found.path);
            else
                walker.walk(found.value, found.path);
        }
    }
}
/** Present: not absent, not null, not a blank string. */
function isPresent(values) {
    return values.some(({ value }) => value !== null && value !== undefined && !(typeof value === "string" && value.trim() === ""));
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/hash.ts
/**
 * Small non-cryptographic hashes for the checks' compact structures (MinHash, LSH bands, n-gram
 * sets). Int32 arithmetic throughout (`Math.imul`, `| 0`), which V8 keeps unboxed; callers read
 * values as unsigned with `>>> 0` where order matters.
 */
/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function mix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
}
/** Folds `value` into a running hash (MurmurHash3's block step). */
function combine32(hash, value) {
    let k = Math.imul(value, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    hash ^= k;
    hash = (hash << 13) | (hash >>> 19);
    return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}
/**
 * Two independent 32-bit hashes of `text` from one pass over its UTF-16 code units, written to
 * `out[0]` and `out[1]`: together a 64-bit hash, so sets of millions of n-grams have a collision
 * probability near 2^-64 per pair.
 */
function hashString64(text, out, start = 0, end = text.length) {
    let a = 0x9747b28c ^ (end - start);
    let b = 0x1b873593 ^ Math.imul(end - start, 0x27d4eb2f);
    for (let i = start; i < end; i++) {
        const c = text.charCodeAt(i);
        a = combine32(a, c);
        b = (Math.imul(b ^ c, 0x01000193) + (b >>> 7)) | 0;
    }
    out[0] = mix32(a);
    out[1] = mix32(b ^ 0x5bd1e995);
}
/** SplitMix32-style generator of well-spread 32-bit seeds: the same `seed` gives the same sequence. */
function seeds32(count, seed) {
    const out = new Uint32Array(count);
    let state = seed | 0;
    for (let i = 0; i < count; i++) {
        state = (state + 0x9e3779b9) | 0;
        out[i] = mix32(state) >>> 0;
    }
    return out;
}
/**
 * A 128-bit hash built incrementally from strings and numbers, with no allocation: four
 * independently seeded MurmurHash3-style lanes. It tells exact duplicates apart (two different
 * texts collide with probability about 2^-128 per pair); it is not cryptographic, so a crafted
 * pair could be made to collide, which would only report two cases as duplicates.
 */
class Hash128 {
    #lanes = new Int32Array(4);
    #length = 0;
    reset() {
        this.#lanes[0] = 0x243f6a88;
        this.#lanes[1] = 0x85a308d3 | 0;
        this.#lanes[2] = 0x13198a2e;
        this.#lanes[3] = 0x03707344;
        this.#length = 0;
    }
    constructor() {
        this.reset();
    }
    /** Adds a number (a length, a separator) as one 32-bit block. */
    number(value) {
        const lanes = this.#lanes;
        lanes[0] = combine32(lanes[0], value);
        lanes[1] = combine32(lanes[1], value ^ 0x5bd1e995);
        lanes[2] = combine32(lanes[2], Math.imul(value, 0x27d4eb2f));
        lanes[3] = combine32(lanes[3], value ^ 0x165667b1);
        this.#length++;
        return this;
    }
    /** Adds a string's UTF-16 code units, two per block, after its length (so boundaries cannot be forged). */
    string(text) {
        this.number(text.length);
        const lanes = this.#lanes;
        let a = lanes[0];
        let b = lanes[1];
        let c = lanes[2];
        let d = lanes[3];
        for (let i = 0; i < text.length; i += 2) {
            const block = text.charCodeAt(i) | ((i + 1 < text.length ? text.charCodeAt(i + 1) : 0) << 16);
            a = combine32(a, block);
            b = combine32(b, block ^ 0x5bd1e995);
            c = combine32(c, Math.imul(block, 0x27d4eb2f));
            d = combine32(d, block ^ 0x165667b1);
        }
        lanes[0] = a;
        lanes[1] = b;
        lanes[2] = c;
        lanes[3] = d;
        this.#length += text.length;
        return this;
    }
    /** The 128 bits into `out` (4 words), each lane finalised with the others mixed in. */
    digest(out) {
        const [a, b, c, d] = this.#lanes;
        const n = this.#length;
        out[0] = mix32(a ^ n ^ mix32(b)) >>> 0;
        out[1] = mix32(b ^ n ^ mix32(c)) >>> 0;
        out[2] = mix32(c ^ n ^ mix32(d)) >>> 0;
        out[3] = mix32(d ^ n ^ mix32(a)) >>> 0;
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/lsh.ts

/**
 * Weights of missed pairs and of spurious candidates when choosing the banding. Candidates are
 * verified on their signatures before they count, so a spurious one costs a comparison while a
 * missed near duplicate is a wrong answer: misses weigh nine times more.
 */
const FALSE_POSITIVE_WEIGHT = 0.1;
const FALSE_NEGATIVE_WEIGHT = 0.9;
/** Chance that a pair of similarity s shares at least one band: 1 - (1 - s^r)^b. */
function candidateProbability(s, banding) {
    return 1 - (1 - s ** banding.rows) ** banding.bands;
}
/** Composite Simpson's rule over [a, b] with `n` (even) intervals. */
function integrate(f, a, b, n = 200) {
    if (b <= a)
        return 0;
    const h = (b - a) / n;
    let sum = f(a) + f(b);
    for (let i = 1; i < n; i++)
        sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
    return (sum * h) / 3;
}
/**
 * The banding that minimises the weighted areas of spurious candidates below the threshold and of
 * missed pairs above it, searched over every (b, r) with b·r ≤ permutations — the rule of
 * datasketch's MinHashLSH (`_optimal_param`), with this module's weights.
 */
function optimalBanding(threshold, permutations) {
    let best = { bands: 1, rows: permutations };
    let bestError = Number.POSITIVE_INFINITY;
    for (let bands = 1; bands <= permutations; bands++) {
        for (let rows = 1; rows * bands <= permutations; rows++) {
            const banding = { bands, rows };
            const falsePositive = integrate((s) => candidateProbability(s, banding), 0, threshold);
            const falseNegative = integrate((s) => 1 - candidateProbability(s, banding), threshold, 1);
            const error = FALSE_POSITIVE_WEIGHT * falsePositive + FALSE_NEGATIVE_WEIGHT * falseNegative;
            if (error < bestError - 1e-12) {
                bestError = error;
                best = banding;
            }
        }
    }
    return best;
}
/**
 * The key of each band of a signature: its `rows` minima hashed together with the band's number,
 * so equal keys in different bands do not meet. Written to `out` (length ≥ bands).
 */
function bandKeys(signature, banding, out) {
    for (let band = 0; band < banding.bands; band++) {
        let hash = mix32(band + 0x2545f491);
        const start = band * banding.rows;
        for (let i = start; i < start + banding.rows; i++)
            hash = combine32(hash, signature[i] | 0);
        out[band] = mix32(hash ^ banding.rows);
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/minhash.ts

/** Fixed, so signatures (and so the verdicts) are the same on every run and machine. */
const PERMUTATION_SEED = 0x6c6c6d6f;
/**
 * MinHash (Broder 1997) over 32-bit shingle hashes: permutation i maps x to mix32(x ^ seed_i), a
 * bijection of the 32-bit values, and the signature keeps each permutation's minimum. For two
 * sets, the chance that a position agrees is their Jaccard similarity.
 */
class MinHasher {
    permutations;
    #seeds;
    /** The signature being built (unsigned 32-bit minima). */
    signature;
    #empty = true;
    constructor(permutations) {
        this.permutations = permutations;
        this.#seeds = seeds32(permutations, PERMUTATION_SEED);
        this.signature = new Uint32Array(permutations);
        this.reset();
    }
    reset() {
        this.signature.fill(0xffffffff);
        this.#empty = true;
    }
    /** True until a shingle is added. */
    get empty() {
        return this.#empty;
    }
    add(shingle) {
        this.#empty = false;
        const seeds = this.#seeds;
        const signature = this.signature;
        for (let i = 0; i < seeds.length; i++) {
            const value = mix32(shingle ^ seeds[i]) >>> 0;
            if (value < signature[i])
                signature[i] = value;
        }
    }
}
/**
 * Signatures are kept as b-bit minwise hashes (Li & König 2010) with b = 16: the low 16 bits of
 * each minimum, half the bytes. Two different minima agree there by chance with probability
 * 2^-16, which `similarity` corrects for.
 */
const SIGNATURE_BITS = 16;
const CHANCE = 2 ** -SIGNATURE_BITS;
/** Copies the low 16 bits of `signature` into `out` at `offset`. */
function packSignature(signature, out, offset = 0) {
    for (let i = 0; i < signature.length; i++)
        out[offset + i] = signature[i] & 0xffff;
}
/**
 * The Jaccard similarity two packed signatures estimate: the share of positions that agree,
 * corrected for chance agreement of 16-bit values, (E - c) / (1 - c), clipped to [0, 1].
 */
function similarity(a, aOffset, b, bOffset, length) {
    let equal = 0;
    for (let i = 0; i < length; i++)
        if (a[aOffset + i] === b[bOffset + i])
            equal++;
    const estimate = (equal / length - CHANCE) / (1 - CHANCE);
    return Math.min(1, Math.max(0, estimate));
}

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
;// CONCATENATED MODULE: ../../packages/operate/src/check/line-reader.ts

const LF = 0x0a;
const CR = 0x0d;
/**
 * Splits bytes pushed in chunks into lines on `\n` (one `\r` before it dropped, a final line
 * without `\n` kept, a UTF-8 BOM at the very start dropped), checking each line's UTF-8 before
 * decoding it, so a dataset's bad bytes are reported instead of silently replaced. A line over
 * `maxLineBytes` is passed on as `tooLong` and its bytes are never held: memory stays bounded by
 * the limit however long a hostile line is. Chunks may be reused once `push` returns.
 */
class LineReader {
    #onLine;
    #maxBytes;
    #pending = [];
    #pendingBytes = 0;
    #skipping = false;
    #lines = 0;
    #started = false;
    constructor(onLine, maxLineBytes) {
        this.#onLine = onLine;
        this.#maxBytes = maxLineBytes;
    }
    push(chunk) {
        let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (!this.#started && bytes.length > 0) {
            this.#started = true;
            if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
                bytes = bytes.subarray(3);
        }
        let start = 0;
        while (start < bytes.length) {
            const newline = bytes.indexOf(LF, start);
            const end = newline === -1 ? bytes.length : newline;
            if (this.#skipping || this.#pendingBytes + (end - start) > this.#maxBytes) {
                if (!this.#skipping) {
                    this.#pending = [];
                    this.#pendingBytes = 0;
                    this.#skipping = true;
                }
                if (newline === -1)
                    return;
                this.#skipping = false;
                this.#onLine({ line: ++this.#lines, text: undefined, invalidUtf8: false, tooLong: true });
                start = newline + 1;
                continue;
            }
            if (newline === -1) {
                this.#pending.push(Buffer.from(bytes.subarray(start, end)));
                this.#pendingBytes += end - start;
                return;
            }
            if (this.#pending.length === 0)
                this.#emit(bytes.subarray(start, end));
            else {
                this.#pending.push(bytes.subarray(start, end));
                const line = Buffer.concat(this.#pending, this.#pendingBytes + (end - start));
                this.#pending = [];
                this.#pendingBytes = 0;
                this.#emit(line);
            }
            start = newline + 1;
        }
    }
    /** Passes on a last line that has no `\n`. */
    end() {
        if (this.#skipping) {
            this.#skipping = false;
            this.#onLine({ line: ++this.#lines, text: undefined, invalidUtf8: false, tooLong: true });
            return;
        }
        if (this.#pending.length === 0)
            return;
        const line = Buffer.concat(this.#pending, this.#pendingBytes);
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#emit(line);
    }
    #emit(bytes) {
        const body = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
        const valid = (0,external_node_buffer_.isUtf8)(body);
        this.#onLine({ line: ++this.#lines, text: body.toString("utf8"), invalidUtf8: !valid, tooLong: false });
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/rows.ts





/** What can be wrong with a row before any check looks at it. */
const ROW_PROBLEMS = (/* unused pure expression or super */ null && ([
    "encoding",
    "too-long",
    "invalid-json",
    "not-an-object",
    "too-deep",
    "unreadable-file",
    "file-too-large",
]));
/**
 * Whole-file formats (JSON, YAML, CSV) are parsed at once; past this size a file is reported, not
 * read: JSONL is streamed at any size.
 */
const WHOLE_FILE_MAX_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;
function formatOf(path) {
    return caseFileFormat(path);
}
/**
 * Streams the rows of one case file into `onRow`, in order; JSONL a line at a time (memory bounded
 * by `maxLineBytes`), other formats parsed whole (bounded by WHOLE_FILE_MAX_BYTES). `onRow` is
 * synchronous, so a row is done with before the next is made and its garbage dies young (rows
 * queued behind awaits would survive into the old generation and grow the heap); `afterChunk`
 * is awaited after each chunk of a JSONL file, where a writer can wait for its buffer to drain. Problems of
 * the bytes (not UTF-8, too long, not JSON, a file that does not parse) are rows with problems,
 * not exceptions: a check reports them. Only an unreadable path throws.
 */
async function readRows(path, displayPath, format, options, onRow) {
    if (format === "jsonl")
        return readJsonl(path, options, onRow);
    return readWholeFile(path, displayPath, format, onRow);
}
async function readJsonl(path, options, onRow) {
    const reader = new LineReader(({ line, text, invalidUtf8, tooLong }) => {
        if (tooLong) {
            onRow({
                line,
                value: undefined,
                problems: [{ kind: "too-long", message: `line longer than ${options.maxLineBytes} bytes; not read` }],
                blank: false,
            });
            return;
        }
        const problems = invalidUtf8
            ? [{ kind: "encoding", message: "not valid UTF-8 (read with U+FFFD in place of the bad bytes)" }]
            : [];
        if (text === undefined || text.trim() === "") {
            onRow({ line, value: undefined, problems, text, blank: problems.length === 0 });
            return;
        }
        let value;
        try {
            value = JSON.parse(text);
        }
        catch (error) {
            // V8's message quotes the line; only the position is kept, so no data reaches a report.
            const at = /position (\d+)/.exec((0,src/* oneLine */.TNj)(error));
            problems.push({ kind: "invalid-json", message: `not valid JSON${at ? ` (at character ${Number(at[1]) + 1})` : ""}` });
            onRow({ line, value: undefined, problems, text, blank: false });
            return;
        }
        onRow({ line, value, problems, text, blank: false });
    }, options.maxLineBytes);
    const handle = await (0,promises_.open)(path, "r");
    try {
        const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
        for (;;) {
            options.signal?.throwIfAborted();
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0)
                break;
            reader.push(buffer.subarray(0, bytesRead));
            await options.afterChunk?.();
        }
        reader.end();
        await options.afterChunk?.();
    }
    finally {
        await handle.close();
    }
}
/** Lines (1-based) of `bytes` that are not valid UTF-8. */
function invalidUtf8Lines(bytes) {
    if ((0,external_node_buffer_.isUtf8)(bytes))
        return [];
    const lines = [];
    let start = 0;
    let line = 1;
    while (start <= bytes.length) {
        let end = bytes.indexOf(0x0a, start);
        if (end === -1)
            end = bytes.length;
        if (!(0,external_node_buffer_.isUtf8)(bytes.subarray(start, end)))
            lines.push(line);
        start = end + 1;
        line++;
    }
    return lines;
}
async function readWholeFile(path, displayPath, format, onRow) {
    const handle = await (0,promises_.open)(path, "r");
    let bytes;
    try {
        const { size } = await handle.stat();
        if (size > WHOLE_FILE_MAX_BYTES) {
            onRow({
                line: 1,
                value: undefined,
                problems: [
                    {
                        kind: "file-too-large",
                        message: `${size} bytes; ${format.toUpperCase()} files are read whole, up to ${WHOLE_FILE_MAX_BYTES} bytes (write large datasets as JSONL, which is streamed)`,
                    },
                ],
                blank: false,
            });
            return;
        }
        bytes = await (0,promises_.readFile)(handle);
    }
    finally {
        await handle.close();
    }
    for (const line of invalidUtf8Lines(bytes)) {
        onRow({
            line,
            value: undefined,
            problems: [{ kind: "encoding", message: "not valid UTF-8 (read with U+FFFD in place of the bad bytes)" }],
            blank: false,
        });
    }
    let rows;
    try {
        rows = (0,eval_src/* parseCaseFile */._Tu)(bytes.toString("utf8"), format, displayPath);
    }
    catch (error) {
        if (!(error instanceof src/* ConfigError */.xLc))
            throw error;
        onRow({
            line: error.location?.line ?? 1,
            value: undefined,
            problems: [{ kind: "unreadable-file", message: `not ${format.toUpperCase()} cases: ${error.expected.slice(0, 300)}` }],
            blank: false,
        });
        return;
    }
    for (const raw of rows) {
        const line = raw.locate([]).line;
        onRow({ line, value: format === "csv" ? csvAsWritten(raw.value) : raw.value, raw, problems: [], blank: false });
    }
}
/**
 * A CSV row as its columns, from eval's case shape (`id`, `expected`, `tags.k`, `metadata.k`, any
 * other column a var): what a JSON Schema of the file's rows describes.
 */
function csvAsWritten(value) {
    const out = Object.create(null);
    const row = value;
    if (row.id !== undefined)
        out.id = row.id;
    for (const [key, v] of Object.entries(row.vars))
        out[key] = v;
    if (row.expected !== undefined)
        out.expected = row.expected;
    for (const [key, v] of Object.entries(row.tags ?? {}))
        out[`tags.${key}`] = v;
    for (const [key, v] of Object.entries(row.metadata ?? {}))
        out[`metadata.${key}`] = v;
    return out;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/text-features.ts


/** Character classes of the tokenizer, cached per UTF-16 code unit (BMP) as they are met. */
const UNKNOWN = 0;
const SEPARATOR = 1;
const WORD = 2;
/** Han, Hiragana, Katakana: scripts written without spaces, so each character is a token. */
const SINGLE = 3;
const classes = new Uint8Array(0x10000);
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const SINGLE_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]$/u;
function classify(char) {
    if (SINGLE_CHAR.test(char))
        return SINGLE;
    return WORD_CHAR.test(char) ? WORD : SEPARATOR;
}
function classOf(text, i, code) {
    if (code < 0xd800 || code > 0xdfff) {
        let known = classes[code];
        if (known === UNKNOWN) {
            known = classify(String.fromCharCode(code));
            classes[code] = known;
        }
        return known;
    }
    // Astral characters (a surrogate pair): classified each time; they are rare in text datasets.
    const point = text.codePointAt(i);
    return point > 0xffff ? classify(String.fromCodePoint(point)) : SEPARATOR;
}
for (let c = 0; c < 128; c++) {
    const isWord = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    classes[c] = isWord ? WORD : SEPARATOR;
}
/**
 * Words of a text as every text check sees them: NFKC-normalised and lower-cased, runs of letters,
 * digits and combining marks, each Han, Hiragana or Katakana character on its own; everything
 * else separates. Calls `onToken(start, end)` with offsets into the normalised text it returns.
 */
function scanWords(text, onToken) {
    const normalised = text.normalize("NFKC").toLowerCase();
    let start = -1;
    for (let i = 0; i < normalised.length; i++) {
        const code = normalised.charCodeAt(i);
        const kind = code < 128 ? classes[code] : classOf(normalised, i, code);
        const width = code >= 0xd800 && code <= 0xdbff && i + 1 < normalised.length ? 2 : 1;
        if (kind === WORD) {
            if (start < 0)
                start = i;
        }
        else {
            if (start >= 0) {
                onToken(normalised, start, i);
                start = -1;
            }
            if (kind === SINGLE)
                onToken(normalised, i, i + width);
        }
        i += width - 1;
    }
    if (start >= 0)
        onToken(normalised, start, normalised.length);
    return normalised;
}
/**
 * Fewest words a field shorter than n needs to count as one whole n-gram. A label or a one-word
 * answer (`positive`, `Paris`) is shared by thousands of unrelated cases: matching it is no sign of
 * contamination, and counting it flagged every case with the same label.
 */
const MIN_WHOLE_FIELD_NGRAM = 4;
/**
 * Everything the checks keep of a case's text, built one field at a time and never holding the
 * words: word and character counts, the MinHash signature of its word shingles, and (through a
 * callback) the 64-bit hashes of its word n-grams. Shingles and n-grams never span two fields.
 * A field shorter than a shingle counts as one whole shingle of its words, and one shorter than
 * an n-gram as one whole n-gram if it has MIN_WHOLE_FIELD_NGRAM words, so short texts still compare.
 */
class TextFeatures {
    minhash;
    #shingle;
    #ngram;
    #ring0;
    #ring1;
    #token = new Int32Array(2);
    #count = 0;
    #onNgram;
    words = 0;
    chars = 0;
    constructor(options) {
        this.minhash = new MinHasher(options.permutations);
        this.#shingle = options.shingle;
        this.#ngram = options.ngram;
        const size = Math.max(options.shingle, options.ngram, 1);
        this.#ring0 = new Int32Array(size);
        this.#ring1 = new Int32Array(size);
    }
    beginCase() {
        this.minhash.reset();
        this.words = 0;
        this.chars = 0;
    }
    /** Adds one field's text; `onNgram` gets each n-gram's hash (high and low 32 bits). */
    addText(text, onNgram) {
        this.chars += text.length;
        this.#count = 0;
        this.#onNgram = onNgram;
        scanWords(text, this.#onToken);
        const count = this.#count;
        if (count > 0 && count < this.#shingle)
            this.minhash.add(mix32(this.#window0(count) ^ 0x51ed27));
        if (onNgram && this.#ngram > 0 && count >= MIN_WHOLE_FIELD_NGRAM && count < this.#ngram) {
            onNgram(mix32(this.#window0(count) ^ 0x7a3c), mix32(this.#window1(count) ^ 0x3b9e));
        }
        this.words += count;
    }
    #onToken = (normalised, start, end) => {
        hashString64(normalised, this.#token, start, end);
        const size = this.#ring0.length;
        const at = this.#count % size;
        this.#ring0[at] = this.#token[0];
        this.#ring1[at] = this.#token[1];
        this.#count++;
        if (this.#count >= this.#shingle)
            this.minhash.add(mix32(this.#window0(this.#shingle)));
        if (this.#onNgram && this.#ngram > 0 && this.#count >= this.#ngram) {
            this.#onNgram(mix32(this.#window0(this.#ngram)), mix32(this.#window1(this.#ngram)));
        }
    };
    /** Hash of the last `length` token hashes (first halves), in order, seeded with the length. */
    #window0(length) {
        const size = this.#ring0.length;
        let hash = length;
        for (let i = this.#count - length; i < this.#count; i++)
            hash = combine32(hash, this.#ring0[i % size]);
        return hash;
    }
    #window1(length) {
        const size = this.#ring1.length;
        let hash = length ^ 0x6a09e667;
        for (let i = this.#count - length; i < this.#count; i++)
            hash = combine32(hash, this.#ring1[i % size]);
        return hash;
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/against.ts










/**
 * What the checks keep of the version checked against: the 64-bit hashes of its word n-grams
 * (each with the first case it came from), its LSH buckets and, on disk, its cases' locations and
 * signatures. This is the one structure that grows with a dataset — the other version's — which
 * is why it is built from the smaller side (an eval set) when checking a training set.
 */
class AgainstIndex {
    source;
    files;
    ngrams = new hash_set64_HashSet64(1 << 16, { values: true });
    bands;
    table;
    cases = 0;
    constructor(source, files, table, near) {
        this.source = source;
        this.files = files;
        this.table = table;
        this.bands = near ? new BandIndex() : undefined;
    }
    static async build(source, options) {
        const { files } = await selectCaseFiles(source.path, source.files, `--against ${source.subject.ref}`);
        const table = new CaseTable(options.scratch, options.name, options.permutations);
        const index = new AgainstIndex(source, files, table, options.banding !== undefined);
        const fields = source.fields?.map(parseFieldPath);
        const features = new TextFeatures({ ngram: options.ngram, shingle: options.shingle, permutations: options.permutations });
        const packed = new Uint16Array(options.permutations);
        const keys = new Int32Array(options.banding?.bands ?? 0);
        const noHash = new Uint32Array(4);
        let current = 0;
        const onNgram = (hi, lo) => {
            index.ngrams.add(hi, lo, current);
        };
        const addText = (text) => features.addText(text, onNgram);
        const walker = new StringWalker(addText);
        for (let f = 0; f < files.length; f++) {
            const file = files[f];
            await readRows(file.path, file.title, file.format, { maxLineBytes: options.maxLineBytes, signal: options.signal }, (row) => {
                if (row.blank || row.value === undefined)
                    return;
                if (nestingDepth(row.value) > MAX_NESTING)
                    return;
                const cased = caseViewOf(row, file.title);
                if (!cased)
                    return;
                current = table.count;
                features.beginCase();
                forEachCaseText(cased.view, fields, walker, addText);
                const hasSignature = !features.minhash.empty;
                if (hasSignature)
                    packSignature(features.minhash.signature, packed);
                table.append(f, row.line, cased.view.id, noHash, hasSignature ? packed : undefined);
                if (hasSignature && options.banding && index.bands) {
                    bandKeys(features.minhash.signature, options.banding, keys);
                    for (let b = 0; b < keys.length; b++)
                        index.bands.add(keys[b], current);
                }
                index.cases++;
            });
        }
        table.flush();
        options.logger.debug(`check: --against ${source.subject.ref}: ${index.cases} cases, ${index.ngrams.size} distinct ${options.ngram}-grams (${Math.round(index.ngrams.bytes / 1048576)} MiB)`);
        return index;
    }
    close() {
        this.table.close();
    }
}

// EXTERNAL MODULE: ../../packages/report/src/index.ts + 13 modules
var report_src = __webpack_require__(12884);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(77030);
;// CONCATENATED MODULE: ../../packages/operate/src/check/pii/iban.ts
/**
 * IBAN lengths by country, from the SWIFT IBAN Registry (release 99, 2024): a candidate of another
 * length, or of a country not listed, is not an IBAN however its check digits come out.
 */
const IBAN_LENGTHS = new Map(("AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 " +
    "FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 " +
    "LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 " +
    "RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30")
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))]));
/**
 * ISO 13616-1 / ISO 7064 MOD 97-10: move the first four characters to the end, replace letters by
 * 10..35, and the number must leave remainder 1 modulo 97. Computed digit by digit, so no big
 * integers. `compact` is upper-case letters and digits without spaces.
 */
function ibanChecksumValid(compact) {
    if (compact.length < 5)
        return false;
    const rearranged = compact.slice(4) + compact.slice(0, 4);
    let remainder = 0;
    for (let i = 0; i < rearranged.length; i++) {
        const code = rearranged.charCodeAt(i);
        if (code >= 48 && code <= 57)
            remainder = (remainder * 10 + (code - 48)) % 97;
        else if (code >= 65 && code <= 90)
            remainder = (remainder * 100 + (code - 55)) % 97;
        else
            return false;
    }
    return remainder === 1;
}
/** The IBAN length of a country (two upper-case letters), or undefined when it has no IBANs. */
function ibanLength(country) {
    return IBAN_LENGTHS.get(country);
}
/** A valid IBAN: a registered country, its length, check digits 02..98 and MOD 97-10. */
function ibanValid(compact) {
    const length = IBAN_LENGTHS.get(compact.slice(0, 2));
    if (length === undefined || compact.length !== length)
        return false;
    const check = Number(compact.slice(2, 4));
    if (!(check >= 2 && check <= 98))
        return false;
    return ibanChecksumValid(compact);
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/pii/luhn.ts
/**
 * The Luhn (mod 10) check of ISO/IEC 7812-1, Annex B: from the rightmost digit (the check digit)
 * leftwards, every second digit is doubled (9 subtracted when the result exceeds 9) and the sum
 * must be a multiple of 10. `digits` holds only 0-9.
 */
function luhnValid(digits) {
    if (digits.length < 2)
        return false;
    let sum = 0;
    let double = false;
    for (let i = digits.length - 1; i >= 0; i--) {
        let d = digits.charCodeAt(i) - 48;
        if (d < 0 || d > 9)
            return false;
        if (double) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        double = !double;
    }
    return sum % 10 === 0;
}
/**
 * Issuer prefixes (IIN ranges) and lengths of the card schemes whose numbers appear in text:
 * Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro. A Luhn-valid
 * digit run outside them is far more likely an order or account number than a card.
 */
function cardScheme(digits) {
    const n = digits.length;
    const p2 = Number(digits.slice(0, 2));
    const p3 = Number(digits.slice(0, 3));
    const p4 = Number(digits.slice(0, 4));
    const p6 = Number(digits.slice(0, 6));
    if (digits[0] === "4" && (n === 13 || n === 16 || n === 19))
        return "visa";
    if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16)
        return "mastercard";
    if ((p2 === 34 || p2 === 37) && n === 15)
        return "amex";
    if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19)
        return "discover";
    if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19)
        return "jcb";
    if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p4 === 3095) && n >= 14 && n <= 19)
        return "diners";
    if (p2 === 62 && n >= 16 && n <= 19)
        return "unionpay";
    if ((p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 63 || p2 === 67 || p2 === 69) && n >= 12 && n <= 19)
        return "maestro";
    return undefined;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/pii/detect.ts



/**
 * Every pattern is linear in the text: each starts only where a run of its characters starts
 * (a lookbehind), and repetition is bounded, so a hostile string of megabytes cannot make a scan
 * backtrack for long.
 */
/** Each secret pattern with literals one of which it must contain: most strings are ruled out by a substring search. */
const SECRET_PATTERNS = [
    // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-) API keys.
    { hints: ["sk-"], pattern: /(?<![A-Za-z0-9_-])sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,256}(?![A-Za-z0-9_-])/g },
    // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server (ghs_), refresh (ghr_), fine-grained PATs.
    {
        hints: ["gh", "github_pat_"],
        pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g,
    },
    // AWS access key ids.
    { hints: ["AKIA", "ASIA", "ABIA", "ACCA"], pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
    // Slack tokens.
    { hints: ["xox"], pattern: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g },
    // Google API keys.
    { hints: ["AIza"], pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
    // Stripe live secret and restricted keys.
    { hints: ["k_live_"], pattern: /(?<![A-Za-z0-9_])[sr]k_live_[0-9A-Za-z]{24,247}(?![A-Za-z0-9_])/g },
    // GitLab personal access tokens, Hugging Face tokens.
    { hints: ["glpat-", "hf_"], pattern: /(?<![A-Za-z0-9_-])(?:glpat-[0-9A-Za-z_-]{20,64}|hf_[A-Za-z0-9]{34,64})(?![A-Za-z0-9_-])/g },
    // JSON Web Tokens (header and payload are base64url JSON objects: `eyJ`).
    {
        hints: ["eyJ"],
        pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,4096}(?![A-Za-z0-9_-])/g,
    },
    // PEM private keys (the header is enough to say a key is there).
    { hints: ["PRIVATE KEY"], pattern: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g },
];
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;
/**
 * Two letters, two check digits, then up to 30 letters and digits with single spaces anywhere
 * between them (banks group by four, some not): one character per step, so there is one way to
 * match and nothing to backtrack over. The country's length then says where the IBAN ends.
 */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;
/** 12 to 19 digits, optionally separated by single spaces or dashes. */
const CARD = /(?<![0-9])\d(?:[ -]?\d){11,18}(?![0-9])/g;
const IPV4 = /(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.\d)/g;
/** A run of hex digits, colons and dots that could be an IPv6 address (at most 45 characters); validated by node:net. */
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:.])[0-9A-Fa-f:][0-9A-Fa-f:.]{1,45}(?![0-9A-Za-z:])/g;
const PHONE_PATTERNS = [
    // International: +CC then groups (E.164 allows at most 15 digits).
    /(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,4}){2,6}(?![\w])/g,
    // North American: (202) 555-0143, 202-555-0143, 202.555.0143.
    /(?<![\w(+-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w|[.-]\d)/g,
    // National numbers with a trunk 0: 030 1234567, 020 7946 0958, 06-12345678.
    /(?<![\w+-])0\d{1,4}[ /-]\d{3,4}(?:[ -]?\d{3,4})?(?!\w|[.-]\d)/g,
];
function digitsOf(text) {
    return text.replace(NON_DIGITS, "");
}
function looksRandom(key) {
    return HAS_DIGIT.test(key) && HAS_LETTER.test(key);
}
// Hoisted: a regular expression literal in a function body is a new object on every call.
const NON_DIGITS = /\D/g;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
const TWO_DIGITS = /\d\d/;
const THREE_DIGITS = /\d{3}/;
const FOUR_DIGITS = /\d{4}/;
const detect_SEPARATOR = /[ -]/g;
const TRAILING_DOTS = /\.+$/;
const ALNUM = /[A-Za-z0-9]/;
const HEX_GROUP = /^[0-9A-Fa-f]{3,4}$/;
/**
 * The scan in progress. findPii is synchronous and never re-entered, so its state lives here rather
 * than in closures made per string: scanning a string with nothing in it allocates nothing.
 */
let scanText = "";
let scanKind = "secret";
let scanMatches;
/** Characters already claimed, allocated at the first match: overlap checks stay linear however many matches. */
let scanClaimed;
function found(start, end) {
    scanClaimed ??= new Uint8Array(scanText.length);
    for (let i = start; i < end; i++)
        if (scanClaimed[i])
            return;
    scanClaimed.fill(1, start, end);
    scanMatches ??= [];
    scanMatches.push({ kind: scanKind, start, end });
}
/** The detectors, in precedence order: a span claimed by one is not looked at by the next. */
const DETECTORS = [
    {
        kind: "secret",
        applies: () => true,
        find(text) {
            for (const { hints, pattern } of SECRET_PATTERNS) {
                let hinted = false;
                for (const hint of hints)
                    if (text.includes(hint))
                        hinted = true;
                if (!hinted)
                    continue;
                pattern.lastIndex = 0;
                for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
                    // A hyphenated phrase after `sk-` is prose, not a key: real keys mix letters and digits.
                    if (m[0].startsWith("sk-") && !looksRandom(m[0].slice(3)))
                        continue;
                    found(m.index, m.index + m[0].length);
                }
            }
        },
    },
    {
        kind: "email",
        applies: (text) => text.includes("@"),
        find(text) {
            EMAIL.lastIndex = 0;
            for (let m = EMAIL.exec(text); m; m = EMAIL.exec(text))
                found(m.index, m.index + m[0].length);
        },
    },
    {
        kind: "iban",
        applies: (text) => TWO_DIGITS.test(text),
        find(text) {
            const pattern = IBAN_CANDIDATE;
            pattern.lastIndex = 0;
            for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
                const end = ibanEnd(text, m.index, m[0]);
                if (end > 0) {
                    found(m.index, end);
                    pattern.lastIndex = end;
                }
                else
                    pattern.lastIndex = m.index + 1;
            }
        },
    },
    {
        kind: "credit-card",
        applies: (text) => FOUR_DIGITS.test(text),
        find(text) {
            CARD.lastIndex = 0;
            for (let m = CARD.exec(text); m; m = CARD.exec(text)) {
                const separators = m[0].match(detect_SEPARATOR);
                // One kind of separator at most: `4111 1111-1111 1111` is not how anyone writes a card.
                if (separators && new Set(separators).size > 1)
                    continue;
                const digits = digitsOf(m[0]);
                if (digits.length >= 12 && digits.length <= 19 && luhnValid(digits) && cardScheme(digits))
                    found(m.index, m.index + m[0].length);
            }
        },
    },
    {
        kind: "ip-address",
        applies: (text) => text.includes(".") || text.includes(":"),
        find(text) {
            IPV4.lastIndex = 0;
            for (let m = IPV4.exec(text); m; m = IPV4.exec(text))
                if ((0,external_node_net_.isIPv4)(m[0]))
                    found(m.index, m.index + m[0].length);
            if (!text.includes(":"))
                return;
            IPV6_CANDIDATE.lastIndex = 0;
            for (let m = IPV6_CANDIDATE.exec(text); m; m = IPV6_CANDIDATE.exec(text)) {
                const candidate = m[0].replace(TRAILING_DOTS, "");
                if (plausibleIPv6(candidate))
                    found(m.index, m.index + candidate.length);
            }
        },
    },
    {
        kind: "phone",
        applies: (text) => THREE_DIGITS.test(text),
        find(text) {
            for (const pattern of PHONE_PATTERNS) {
                pattern.lastIndex = 0;
                for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
                    const digits = digitsOf(m[0]).length;
                    if (digits >= 8 && digits <= 15)
                        found(m.index, m.index + m[0].length);
                }
            }
        },
    },
];
/**
 * Where the IBAN starting a candidate ends (an index into `text`), or -1: the first `length` letters
 * and digits for its country, followed by neither, with valid check digits.
 */
function ibanEnd(text, start, candidate) {
    const length = ibanLength(candidate.slice(0, 2).toUpperCase());
    if (length === undefined)
        return -1;
    let compact = "";
    let i = 0;
    while (i < candidate.length && compact.length < length) {
        if (candidate[i] !== " ")
            compact += candidate[i];
        i++;
    }
    if (compact.length !== length || ALNUM.test(text[start + i] ?? ""))
        return -1;
    return ibanValid(compact.toUpperCase()) ? start + i : -1;
}
/**
 * An IPv6 address as node:net reads it, written the way addresses are: at least two non-empty
 * groups, and when `::` shortens it, one group of three or more hex digits (so clock times such as
 * `12:30::` and C++ scopes do not count). The loopback `::1` and the unspecified `::` are not
 * personal data.
 */
function plausibleIPv6(candidate) {
    if (!(0,external_node_net_.isIPv6)(candidate))
        return false;
    const groups = candidate.split(":").filter((g) => g !== "");
    if (groups.length < 2)
        return false;
    if (candidate.includes("::") && !groups.some((g) => HEX_GROUP.test(g) || g.includes(".")))
        return false;
    return true;
}
/**
 * The personal data and secrets in `text`, of the given kinds, without overlaps, in text order.
 * Kinds are tried in precedence order (secret, email, IBAN, card, IP address, phone), so the
 * digits of an IBAN are not also counted as a phone number.
 */
function detect_findPii(text, kinds) {
    scanText = text;
    scanMatches = undefined;
    scanClaimed = undefined;
    for (const detector of DETECTORS) {
        if (!kinds.has(detector.kind) || !detector.applies(text))
            continue;
        scanKind = detector.kind;
        detector.find(text);
    }
    // Set by `found` during the detectors' calls, which TypeScript cannot see.
    const matches = scanMatches;
    scanText = "";
    scanMatches = undefined;
    scanClaimed = undefined;
    return matches ? matches.sort((a, b) => a.start - b.start) : NO_MATCHES;
}
const NO_MATCHES = Object.freeze([]);
/** Only the digits and text of a value's shape survive: enough to find it, not enough to use it. */
function maskPii(kind, value) {
    switch (kind) {
        case "email": {
            const at = value.lastIndexOf("@");
            const dot = value.lastIndexOf(".");
            return `${value[0]}***@***${dot > at ? value.slice(dot) : ""}`;
        }
        case "credit-card": {
            const digits = digitsOf(value);
            return `${"*".repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
        }
        case "iban": {
            const compact = value.replace(/ /g, "");
            return `${compact.slice(0, 2)}${"*".repeat(Math.max(0, compact.length - 6))}${compact.slice(-4)}`;
        }
        case "phone": {
            const digits = digitsOf(value);
            return `${value.startsWith("+") ? "+" : ""}${"*".repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
        }
        case "ip-address":
            return value.includes(":") ? `${value.split(":")[0]}:****` : `${value.split(".")[0]}.*.*.*`;
        case "secret": {
            const prefix = /^(?:sk-ant-|sk-proj-|sk-svcacct-|sk-admin-|sk-|gh[pousr]_|github_pat_|AKIA|ASIA|ABIA|ACCA|xox[abposr]-|AIza|[sr]k_live_|glpat-|hf_|eyJ|-----BEGIN)/.exec(value);
            return `${prefix ? prefix[0] : ""}… (${value.length} characters)`;
        }
    }
}
/** What a redacted copy puts in place of each kind (Presidio's style: a typed placeholder). */
const PII_PLACEHOLDER = {
    email: "<EMAIL>",
    phone: "<PHONE>",
    "credit-card": "<CREDIT_CARD>",
    iban: "<IBAN>",
    "ip-address": "<IP_ADDRESS>",
    secret: "<SECRET>",
};
/**
 * `text` with every match replaced by its placeholder. Scanned again afterwards: should a
 * replacement join pieces into something that matches (or a detector miss its own output),
 * the whole string becomes `<REDACTED>`, so a redacted string never holds a match.
 */
function detect_redactPii(text, kinds, matches = detect_findPii(text, kinds)) {
    if (matches.length === 0)
        return text;
    let out = "";
    let at = 0;
    for (const m of matches) {
        out += text.slice(at, m.start) + PII_PLACEHOLDER[m.kind];
        at = m.end;
    }
    out += text.slice(at);
    return detect_findPii(out, kinds).length === 0 ? out : "<REDACTED>";
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/display.ts



const ALL_KINDS = new Set(src/* PII_KINDS */.tw);
/**
 * A string from a dataset (an id, a field path, a label value) made fit for a report or a log:
 * personal data and secrets replaced by placeholders (an id may be an e-mail address), control
 * and bidirectional characters removed, cut to `max` characters.
 */
/**
 * Short words of letters, digits and `_` without a run of 12 digits: no pattern can match there
 * (every one needs `@`, `.`, `:`, a separator, 12+ digits or 15+ characters), so they are shown as
 * they are without a scan — most case ids are such.
 */
const PLAIN = /^(?!.*\d{12})[A-Za-z0-9_]{0,14}$/;
function display_shown(text, max = 200) {
    if (text.length <= max && PLAIN.test(text))
        return text;
    // Redacted before it is cut, over a prefix longer than any pattern (a JWT is the longest), so no
    // match is cut in half and shown in part.
    const scanned = Math.max(4 * max, 20_000);
    const head = text.length > scanned ? text.slice(0, scanned) : text;
    const clean = detect_redactPii((0,report_src/* stripControlChars */.BF)(head), ALL_KINDS).replace(/[\r\n\u2028\u2029]+/g, " ");
    if (clean.length <= max && head.length === text.length)
        return clean;
    let end = Math.min(clean.length, max - 1);
    const code = clean.charCodeAt(end - 1);
    if (end > 0 && code >= 0xd800 && code <= 0xdbff)
        end--;
    return `${clean.slice(0, end)}…`;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/distributions.ts
/** Lengths up to this are counted exactly (percentiles exact); longer ones share the last slot. */
const EXACT_LIMIT = 65_535;
/**
 * A streaming length distribution: a count per exact length (up to 65,535; longer ones share one
 * slot, with the true maximum kept aside), so percentiles are exact and memory is 256 KiB
 * whatever the number of cases.
 */
class LengthHistogram {
    #counts = new Float64Array(EXACT_LIMIT + 2);
    #n = 0;
    #sum = 0;
    #min = Number.POSITIVE_INFINITY;
    #max = 0;
    add(length) {
        this.#counts[Math.min(length, EXACT_LIMIT + 1)]++;
        this.#n++;
        this.#sum += length;
        if (length < this.#min)
            this.#min = length;
        if (length > this.#max)
            this.#max = length;
    }
    /** The smallest length with at least q·n cases at or below it (nearest rank). */
    #quantile(q) {
        if (this.#n === 0)
            return 0;
        const rank = Math.max(1, Math.ceil(q * this.#n));
        let seen = 0;
        for (let length = 0; length < this.#counts.length; length++) {
            seen += this.#counts[length];
            if (seen >= rank)
                return length > EXACT_LIMIT ? this.#max : length;
        }
        return this.#max;
    }
    stats() {
        const histogram = [];
        if (this.#n > 0) {
            // Buckets [0,0], [1,1], [2,3], [4,7], … [32768,65535], then one for every longer length.
            for (let from = 0, to = 0; from <= Math.min(this.#max, EXACT_LIMIT); from = to + 1, to = 2 * from - 1) {
                let n = 0;
                for (let length = from; length <= Math.min(to, EXACT_LIMIT); length++)
                    n += this.#counts[length];
                histogram.push({ from, to: Math.min(to, this.#max), count: n });
            }
            if (this.#max > EXACT_LIMIT)
                histogram.push({ from: EXACT_LIMIT + 1, to: this.#max, count: this.#counts[EXACT_LIMIT + 1] });
        }
        return {
            count: this.#n,
            min: this.#n === 0 ? 0 : this.#min,
            max: this.#max,
            mean: this.#n === 0 ? 0 : this.#sum / this.#n,
            p50: this.#quantile(0.5),
            p90: this.#quantile(0.9),
            p99: this.#quantile(0.99),
            histogram,
        };
    }
}
/** Distinct label values counted; past this many, further values are counted together as `other`. */
const MAX_LABEL_VALUES = 1000;
/** Counts of a field's values (a label), bounded in the number of distinct values it keeps. */
class LabelCounter {
    #counts = new Map();
    other = 0;
    missing = 0;
    add(value) {
        if (value === undefined) {
            this.missing++;
            return;
        }
        const current = this.#counts.get(value);
        if (current !== undefined)
            this.#counts.set(value, current + 1);
        else if (this.#counts.size < MAX_LABEL_VALUES)
            this.#counts.set(value, 1);
        else
            this.other++;
    }
    get distinct() {
        return this.#counts.size;
    }
    /** The `limit` most frequent values (ties by value) and how many cases the others hold. */
    values(limit) {
        const sorted = [...this.#counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        return {
            values: sorted.slice(0, limit).map(([value, count]) => ({ value, count })),
            other: this.other + sorted.slice(limit).reduce((sum, [, count]) => sum + count, 0),
        };
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/bitset.ts
/** One bit per case, growing as cases come. */
class Bitset {
    #words = new Uint32Array(1024);
    set(index) {
        const word = index >>> 5;
        if (word >= this.#words.length) {
            const words = new Uint32Array(Math.max(2 * this.#words.length, word + 1));
            words.set(this.#words);
            this.#words = words;
        }
        this.#words[word] |= 1 << (index & 31);
    }
    has(index) {
        const word = index >>> 5;
        return word < this.#words.length && (this.#words[word] & (1 << (index & 31))) !== 0;
    }
    count() {
        let total = 0;
        for (let word of this.#words) {
            // Hamming weight of a 32-bit word.
            word -= (word >>> 1) & 0x55555555;
            word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
            total += (Math.imul((word + (word >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) >>> 0;
        }
        return total;
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/duplicates.ts


/**
 * Each case of a crowded LSH bucket is compared with at most this many earlier members. Pairs in
 * a bucket are quadratic; a case that is a near duplicate of anything there almost always is of
 * one of the first few, and exact copies never reach this far (they are settled first).
 */
const MAX_BUCKET_COMPARISONS = 16;
/** Keeps the `limit` pairs whose second case comes first, in case order, without holding every pair. */
class PairCollector {
    #limit;
    #pairs = [];
    constructor(limit) {
        this.#limit = limit;
    }
    add(pair) {
        if (this.#limit === 0)
            return;
        this.#pairs.push(pair);
        if (this.#pairs.length >= 4 * this.#limit)
            this.#trim();
    }
    #trim() {
        this.#pairs.sort((a, b) => a.second - b.second || a.first - b.first);
        this.#pairs.length = Math.min(this.#pairs.length, this.#limit);
    }
    pairs() {
        this.#trim();
        return this.#pairs;
    }
}
/**
 * Exact duplicates first: pairs (case, 32 bits of its text hash) spilled by the other bits are
 * grouped a partition at a time, and cases of a group whose full 128-bit hashes agree with an
 * earlier one's are exact duplicates. Then near duplicates: (case, band key) pairs are grouped the
 * same way, and in each LSH bucket a case not already settled is compared, on its signature, with
 * earlier members until one reaches `threshold`. Memory: one partition and a bit per case.
 */
function findDuplicates(options) {
    const { table } = options;
    const exact = new Bitset();
    const near = new Bitset();
    const collector = new PairCollector(options.listed);
    const b = new Uint32Array(4);
    for (let p = 0; p < options.exactSpill.partitions; p++) {
        options.signal?.throwIfAborted();
        const words = pairsOf(options.exactSpill.sorted(p));
        forEachGroup(words, (start, end) => {
            // Distinct texts in the group (all share 32 hash bits): each one's first case and full hash.
            const firsts = [];
            const hashes = [];
            for (let i = start; i < end; i++) {
                const member = words[2 * i];
                table.hash(member, b);
                let original = -1;
                for (let f = 0; f < firsts.length; f++) {
                    if (hashes[4 * f] === b[0] && hashes[4 * f + 1] === b[1] && hashes[4 * f + 2] === b[2] && hashes[4 * f + 3] === b[3]) {
                        original = firsts[f];
                        break;
                    }
                }
                if (original < 0) {
                    firsts.push(member);
                    hashes.push(b[0], b[1], b[2], b[3]);
                }
                else {
                    exact.set(member);
                    collector.add({ first: original, second: member, similarity: 1, exact: true });
                }
            }
        });
    }
    let comparisons = 0;
    if (options.bandSpill) {
        const k = table.permutations;
        const earlier = new Uint16Array(MAX_BUCKET_COMPARISONS * k);
        const current = new Uint16Array(k);
        for (let p = 0; p < options.bandSpill.partitions; p++) {
            options.signal?.throwIfAborted();
            const words = pairsOf(options.bandSpill.sorted(p));
            forEachGroup(words, (start, end) => {
                const members = [];
                for (let i = start; i < end; i++) {
                    const member = words[2 * i];
                    if (!exact.has(member))
                        members.push(member);
                }
                if (members.length < 2)
                    return;
                let loaded = 0;
                for (let m = 1; m < members.length; m++) {
                    const candidate = members[m];
                    if (near.has(candidate))
                        continue;
                    table.signature(candidate, current);
                    const compare = Math.min(m, MAX_BUCKET_COMPARISONS);
                    for (let e = 0; e < compare; e++) {
                        if (e >= loaded) {
                            table.signature(members[e], earlier, e * k);
                            loaded = e + 1;
                        }
                        comparisons++;
                        const s = similarity(earlier, e * k, current, 0, k);
                        if (s >= options.threshold) {
                            near.set(candidate);
                            collector.add({ first: members[e], second: candidate, similarity: s, exact: false });
                            break;
                        }
                    }
                }
            });
        }
    }
    return { exact: exact.count(), near: near.count(), comparisons, pairs: collector.pairs() };
}
/** The sorted 64-bit words as 32-bit halves: pair i is case `[2i]`, key `[2i + 1]` (little-endian). */
function pairsOf(sorted) {
    return new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2);
}
/** Calls `group(start, end)` for each run of ≥ 2 pairs with the same key. */
function forEachGroup(words, group) {
    const pairs = words.length / 2;
    let start = 0;
    while (start < pairs) {
        const key = words[2 * start + 1];
        let end = start + 1;
        while (end < pairs && words[2 * end + 1] === key)
            end++;
        if (end - start >= 2)
            group(start, end);
        start = end;
    }
}

// EXTERNAL MODULE: ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/classic/from-json-schema.js + 1 modules
var from_json_schema = __webpack_require__(88854);
;// CONCATENATED MODULE: ../../packages/operate/src/check/json-schema-file.ts




/** A JSON Schema is configuration, not data: anything larger is a mistake. */
const MAX_SCHEMA_BYTES = 1024 * 1024;
/**
 * The rows' JSON Schema as a zod schema (zod's `fromJSONSchema`, drafts 2020-12, 7 and 4), so rows
 * are validated by the same library as everything else. A file that is missing, not JSON, or uses
 * what zod cannot express (`if`/`then`, `not`, remote `$ref` …) is a JsonSchemaFileError naming it.
 */
async function loadJsonSchema(path, shown) {
    let bytes;
    try {
        const info = await (0,promises_.stat)(path);
        if (!info.isFile())
            throw new JsonSchemaFileError(shown, "expected a JSON Schema file; this is not a regular file");
        if (info.size > MAX_SCHEMA_BYTES)
            throw new JsonSchemaFileError(shown, `expected a JSON Schema of at most ${MAX_SCHEMA_BYTES} bytes; it has ${info.size}`);
        bytes = await (0,promises_.readFile)(path);
    }
    catch (error) {
        if (error instanceof JsonSchemaFileError)
            throw error;
        const code = error.code;
        throw new JsonSchemaFileError(shown, code === "ENOENT" ? "expected a JSON Schema file; it does not exist" : `cannot be read (${code})`, {
            cause: error,
        });
    }
    let document;
    try {
        document = JSON.parse(bytes.toString("utf8"));
    }
    catch (error) {
        // V8's message quotes the text: only the position is kept, so no byte of the file is shown.
        const at = /position (\d+)/.exec((0,src/* oneLine */.TNj)(error));
        throw new JsonSchemaFileError(shown, `expected a JSON Schema (JSON); not valid JSON${at ? ` at character ${Number(at[1]) + 1}` : ""}`, {
            cause: error,
        });
    }
    if (typeof document !== "boolean" && (document === null || typeof document !== "object" || Array.isArray(document))) {
        throw new JsonSchemaFileError(shown, "expected a JSON Schema: an object or a boolean");
    }
    try {
        return from_json_schema/* fromJSONSchema */.y(document);
    }
    catch (error) {
        throw new JsonSchemaFileError(shown, `expected a JSON Schema zod can apply; ${(0,src/* oneLine */.TNj)(error)}`, { cause: error });
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ../../packages/operate/src/check/redacted-copy.ts









/**
 * A copy of a value with every string (and object key) redacted; keys that become equal after
 * redaction get `#2`, `#3` … so no entry is lost. Objects are built without a prototype, so a
 * `__proto__` key stays a plain key. `value` must nest at most MAX_NESTING deep.
 */
function redactValue(value, kinds) {
    if (typeof value === "string")
        return detect_redactPii(value, kinds);
    if (Array.isArray(value))
        return value.map((item) => redactValue(item, kinds));
    if (value !== null && typeof value === "object") {
        const out = Object.create(null);
        for (const key of Object.keys(value)) {
            let name = detect_redactPii(key, kinds);
            for (let n = 2; Object.hasOwn(out, name); n++)
                name = `${detect_redactPii(key, kinds)}#${n}`;
            out[name] = redactValue(value[key], kinds);
        }
        return out;
    }
    return value;
}
/**
 * A redacted copy of the checked case files, built in a temporary directory beside `dest` and
 * renamed into place only when every file is written and verified, so `dest` is either absent or
 * complete: never half-written, never holding a match. JSONL is written a line at a time as the
 * check reads it (each value redacted as JSON, so escapes cannot hide anything); JSON, YAML and
 * CSV files are redacted whole afterwards and parsed again to verify that no match is left.
 */
class RedactedCopy {
    dest;
    #temp;
    #kinds;
    #writer;
    #titles = new Set();
    #draining;
    files = 0;
    droppedLines = 0;
    droppedFiles = [];
    constructor(dest, temp, kinds) {
        this.dest = dest;
        this.#temp = temp;
        this.#kinds = kinds;
    }
    /** Refuses a `dest` that exists and is not an empty directory: a redacted copy never overwrites data. */
    static async open(dest, kinds) {
        const target = (0,external_node_path_.resolve)(dest);
        const existing = await (0,promises_.stat)(target).catch(() => undefined);
        if (existing && (!existing.isDirectory() || (await (0,promises_.readdir)(target)).length > 0)) {
            throw new RedactedCopyError(dest, "expected a new or empty directory; it exists and is not empty");
        }
        await (0,promises_.mkdir)((0,external_node_path_.dirname)(target), { recursive: true });
        const temp = (0,external_node_path_.join)((0,external_node_path_.dirname)(target), `.${(0,external_node_path_.basename)(target)}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString("hex")}.tmp`);
        await (0,promises_.mkdir)(temp);
        return new RedactedCopy(target, temp, kinds);
    }
    /**
     * A file's path in the copy: its name redacted too (a file may be named after a person), with
     * placeholders as `_EMAIL_` so every filesystem accepts them, and `-2`, `-3` … should two
     * names become one.
     */
    #titleOf(title) {
        const base = title
            .split("/")
            .map((part) => detect_redactPii(part, this.#kinds).replace(/<([A-Z_]+)>/g, "_$1_"))
            .join("/");
        let name = base;
        for (let n = 2; this.#titles.has(name); n++) {
            const dot = base.lastIndexOf(".");
            name = dot > base.lastIndexOf("/") ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
        }
        this.#titles.add(name);
        return name;
    }
    async #open(title) {
        return src/* AtomicFileWriter */.fz7.open((0,external_node_path_.join)(this.#temp, ...this.#titleOf(title).split("/")));
    }
    /** Starts a JSONL file; its lines follow with `line`. */
    async beginJsonl(title) {
        this.#writer = await this.#open(title);
    }
    /**
     * One line of the current JSONL file, redacted: a parsed row as JSON with its strings redacted;
     * a line that is not JSON as text; a line that cannot be redacted safely (too long to hold, JSON
     * nested too deep to walk) is left blank, so line numbers still match the original.
     */
    line(row) {
        let out;
        if (row.blank)
            out = row.text ?? "";
        else if (row.unsafe) {
            out = "";
            this.droppedLines++;
        }
        else if (row.value !== undefined)
            out = JSON.stringify(redactValue(row.value, this.#kinds));
        else if (row.text !== undefined)
            out = detect_redactPii(row.text, this.#kinds);
        else {
            out = "";
            this.droppedLines++;
        }
        // Written at once; when the stream's buffer is full, `drain` (after the chunk) waits for it.
        this.#draining ??= this.#writer.write(`${out}\n`);
    }
    /** Waits until the current file's buffered lines are written (call between chunks). */
    async drain() {
        const draining = this.#draining;
        this.#draining = undefined;
        await draining;
    }
    async endJsonl() {
        await this.drain();
        const writer = this.#writer;
        this.#writer = undefined;
        await writer.finish();
        this.files++;
    }
    /**
     * A JSON, YAML or CSV file redacted whole: JSON as values, YAML and CSV line by line as text
     * (neither can hide characters in escapes that a line-level scan would miss, except YAML's
     * double-quoted escapes, which the verification catches). The result is parsed again and every
     * string scanned; a file that still holds a match, or no longer parses, is a RedactedCopyError.
     */
    async wholeFile(title, source, format) {
        const { size } = await (0,promises_.stat)(source);
        if (size > WHOLE_FILE_MAX_BYTES) {
            this.droppedFiles.push(title);
            return;
        }
        const text = (await (0,promises_.readFile)(source)).toString("utf8");
        let redacted;
        if (format === "json") {
            let value;
            try {
                value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
            }
            catch {
                this.droppedFiles.push(title);
                return;
            }
            if (nestingDepth(value) > MAX_NESTING) {
                this.droppedFiles.push(title);
                return;
            }
            redacted = `${JSON.stringify(redactValue(value, this.#kinds), null, 2)}\n`;
        }
        else {
            redacted = text
                .split("\n")
                .map((line) => detect_redactPii(line, this.#kinds))
                .join("\n");
        }
        this.#verify(title, redacted, format);
        const writer = await this.#open(title);
        try {
            await writer.write(redacted);
            await writer.finish();
        }
        catch (error) {
            await writer.abort();
            throw error;
        }
        this.files++;
    }
    #verify(title, text, format) {
        let rows;
        try {
            rows = (0,eval_src/* parseCaseFile */._Tu)(text, format, title);
        }
        catch (error) {
            const where = error instanceof src/* ConfigError */.xLc && error.location ? ` (line ${error.location.line})` : "";
            throw new RedactedCopyError(this.dest, `${title}: no longer parses once redacted${where}; ${(0,src/* oneLine */.TNj)(error).slice(0, 200)}`);
        }
        for (const row of rows) {
            visitStrings(row.value, "", (value) => {
                if (detect_findPii(value, this.#kinds).length > 0) {
                    throw new RedactedCopyError(this.dest, `${title}: line ${row.locate([]).line} still holds personal data once redacted (hidden in escapes?); expected a file a line scan can redact, such as JSONL`);
                }
            }, true);
        }
    }
    /** Puts the copy in place (an empty `dest` directory is replaced). */
    async finish() {
        if (this.#writer)
            throw new Error("redacted copy: a JSONL file is still open");
        // Only an empty directory goes (rmdir refuses anything else, and rename then fails).
        await (0,promises_.rmdir)(this.dest).catch(() => { });
        try {
            await (0,promises_.rename)(this.#temp, this.dest);
        }
        catch (error) {
            await this.abort();
            throw new RedactedCopyError(this.dest, `cannot be put in place (${error.code ?? (0,src/* oneLine */.TNj)(error)})`, {
                cause: error,
            });
        }
    }
    /** Removes everything written so far; `dest` is left as it was. */
    async abort() {
        await this.#writer?.abort();
        this.#writer = undefined;
        await (0,promises_.rm)(this.#temp, { recursive: true, force: true });
    }
}

// EXTERNAL MODULE: ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/classic/schemas.js + 6 modules
var schemas = __webpack_require__(46038);
// EXTERNAL MODULE: ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/classic/iso.js
var iso = __webpack_require__(44832);
;// CONCATENATED MODULE: ../../packages/operate/src/check/result.ts


/**
 * `check.json` and `llmops check --json`: one schema for the result, the record and the machine
 * output. Every string that came from a dataset is bounded (and PII-redacted before it gets
 * here), and every list is cut to `maxListed`, so a record read back from a store is bounded too.
 */
const CHECK_RESULT_LIMITS = {
    path: 1024,
    text: 1000,
    id: 256,
    items: 1000,
};
const result_path = () => schemas.string().max(CHECK_RESULT_LIMITS.path);
const result_text = () => schemas.string().max(CHECK_RESULT_LIMITS.text);
const count = () => schemas.number().int().nonnegative();
const listed = (item) => schemas.array(item).max(CHECK_RESULT_LIMITS.items);
/** Where a finding is: a case file (path inside the dataset), its line, the case id and the field. */
const caseLocationSchema = schemas.strictObject({
    file: result_path(),
    line: count(),
    id: schemas.string().max(CHECK_RESULT_LIMITS.id).optional(),
    field: result_path().optional(),
});
/**
 * A check's verdict: `findings` against `max` at `severity` (`error` fails when findings > max),
 * and the findings by kind. The shape `llmops metrics` reads (`CheckMetricsInput`).
 */
const gateFields = {
    severity: src/* checkSeveritySchema */.Ts6,
    max: count(),
    findings: count(),
    passed: schemas.boolean(),
    kinds: schemas.record(schemas.string().max(64), count()),
};
const violationSchema = caseLocationSchema.extend({ kind: schemas.string().max(64), message: result_text() });
const schemaCheckResultSchema = schemas.strictObject({
    name: schemas.literal("schema"),
    ...gateFields,
    /** `case`: eval's case schema; `json-schema`: the configured file. */
    mode: schemas["enum"](["case", "json-schema"]),
    file: result_path().optional(),
    violations: listed(violationSchema),
});
const requiredCheckResultSchema = schemas.strictObject({
    name: schemas.literal("required"),
    ...gateFields,
    fields: schemas.array(result_path()).max(CHECK_RESULT_LIMITS.items),
    violations: listed(violationSchema),
});
const labelsCheckResultSchema = schemas.strictObject({
    name: schemas.literal("labels"),
    ...gateFields,
    field: result_path(),
    allowed: schemas.array(result_text()).max(10_000),
    violations: listed(violationSchema),
});
const duplicatePairSchema = schemas.strictObject({
    first: caseLocationSchema,
    second: caseLocationSchema,
    /** 1 for exact duplicates; the estimated Jaccard similarity of word shingles for near ones. */
    similarity: schemas.number().min(0).max(1),
    exact: schemas.boolean(),
});
const duplicatesCheckResultSchema = schemas.strictObject({
    name: schemas.literal("duplicates"),
    ...gateFields,
    /** Cases whose texts equal an earlier case's. */
    exact: count(),
    /** Other cases with an earlier case at or above the threshold. */
    near: count(),
    threshold: schemas.number(),
    shingle: count(),
    permutations: count(),
    bands: count(),
    rows: count(),
    /** Candidate pairs compared on their signatures. */
    comparisons: count(),
    pairs: listed(duplicatePairSchema),
});
const contaminationFindingSchema = schemas.strictObject({
    case: caseLocationSchema,
    /** A case of the other version it overlaps with. */
    against: caseLocationSchema,
    kind: schemas["enum"](["ngram", "near"]),
    /** n-grams of the case also in the other version (kind ngram). */
    overlap: count().optional(),
    /** n-grams of the case (kind ngram). */
    ngrams: count().optional(),
    similarity: schemas.number().min(0).max(1).optional(),
});
const againstResultSchema = schemas.strictObject({
    /** The ref (or path) as given. */
    ref: result_path(),
    digest: src/* digestSchema */.erv.optional(),
    cases: count(),
    ngram: count(),
    /** Distinct n-grams of the other version. */
    ngramsIndexed: count(),
    /** Cases of this version with an n-gram overlap or a near duplicate there. */
    contaminated: count(),
    ngramCases: count(),
    nearCases: count(),
    findings: listed(contaminationFindingSchema),
});
const contaminationCheckResultSchema = schemas.strictObject({
    name: schemas.literal("contamination"),
    ...gateFields,
    against: schemas.array(againstResultSchema).max(100),
});
const piiFindingSchema = caseLocationSchema.extend({
    kind: src/* piiKindSchema */.es9,
    /** Enough to find it, never the value: `j***@***.com`, `************1111`, `ghp_… (40 characters)`. */
    masked: schemas.string().max(128),
});
const redactedCopySchema = schemas.strictObject({
    path: result_path(),
    files: count(),
    /** Lines left blank because they could not be redacted safely (too long, nested too deep). */
    droppedLines: count(),
    /** Files not copied (too large to read whole). */
    droppedFiles: schemas.array(result_path()).max(CHECK_RESULT_LIMITS.items),
});
const piiCheckResultSchema = schemas.strictObject({
    name: schemas.literal("pii"),
    ...gateFields,
    /** The kinds looked for (`kinds` counts what was found). */
    detectors: schemas.array(src/* piiKindSchema */.es9),
    /** Rows with at least one finding. */
    rows: count(),
    /** Where the first `maxListed` findings are. */
    locations: listed(piiFindingSchema),
    redacted: redactedCopySchema.optional(),
});
const lengthStatsSchema = schemas.strictObject({
    count: count(),
    min: count(),
    max: count(),
    mean: schemas.number(),
    p50: count(),
    p90: count(),
    p99: count(),
    /** Power-of-two buckets: [from, to] inclusive. */
    histogram: schemas.array(schemas.strictObject({ from: count(), to: count(), count: count() })).max(64),
});
const labelDistributionSchema = schemas.strictObject({
    field: result_path(),
    values: listed(schemas.strictObject({ value: result_text(), count: count() })),
    /** Cases whose label is among values beyond the listed ones. */
    other: count(),
    /** Cases without a label. */
    missing: count(),
});
const distributionsSchema = schemas.strictObject({
    words: lengthStatsSchema,
    chars: lengthStatsSchema,
    label: labelDistributionSchema.optional(),
});
const checkEntrySchema = schemas.discriminatedUnion("name", [
    schemaCheckResultSchema,
    requiredCheckResultSchema,
    labelsCheckResultSchema,
    duplicatesCheckResultSchema,
    contaminationCheckResultSchema,
    piiCheckResultSchema,
]);
const checkedFileSchema = schemas.strictObject({
    path: result_path(),
    format: schemas["enum"](["jsonl", "json", "csv", "yaml"]),
    bytes: count(),
    rows: count(),
});
const checkSubjectSchema = schemas.strictObject({
    /** The ref or path as given. */
    ref: result_path(),
    /** The artifact's name (`acme/train`), or the path when a directory is not a declared artifact. */
    name: result_path(),
    digest: src/* digestSchema */.erv.optional(),
    version: schemas.string().max(64).optional(),
});
const result_checkResultSchema = schemas.strictObject({
    schemaVersion: schemas.literal(1),
    dataset: checkSubjectSchema,
    passed: schemas.boolean(),
    /** One line per failed check. */
    reasons: schemas.array(result_text()).max(20),
    startedAt: iso.datetime(),
    finishedAt: iso.datetime(),
    files: listed(checkedFileSchema),
    skippedFiles: listed(schemas.strictObject({ path: result_path(), reason: result_text() })),
    /** Rows read (cases and broken rows; blank lines not counted). */
    rows: count(),
    /** Rows that are cases (objects). */
    cases: count(),
    /** The checks that ran, in a fixed order: schema, required, labels, duplicates, contamination, pii. */
    checks: schemas.array(checkEntrySchema).max(6),
    distributions: distributionsSchema,
    /** `llmops check --record --json` only: the digest of the check referrer it attached (never in check.json). */
    record: src/* digestSchema */.erv.optional(),
});

;// CONCATENATED MODULE: ../../packages/operate/src/check/spill.ts



/** Pairs buffered per partition before a write: 4096 pairs, 32 KiB. */
const BUFFERED_PAIRS = 4096;
/**
 * (key, case) pairs spilled to disk in `partitions` files by the key's top bits, so grouping equal
 * keys later needs one partition in memory at a time: external hashing instead of a table of every
 * case. A pair is stored as one little-endian 64-bit word `key << 32 | case`, so sorting a
 * partition's words (BigUint64Array, natively) groups equal keys with their cases ascending.
 */
class PartitionedSpill {
    partitions;
    #shift;
    #fds;
    #buffers;
    #fill;
    #written;
    #scratch = new ArrayBuffer(0);
    constructor(dir, name, partitionBits) {
        // The pairs are sorted as 64-bit words whose high half is the key: that needs little-endian memory.
        if ((0,external_node_os_.endianness)() !== "LE")
            throw new Error("dataset checks need a little-endian machine");
        this.partitions = 1 << partitionBits;
        this.#shift = 32 - partitionBits;
        this.#fds = [];
        this.#buffers = [];
        for (let p = 0; p < this.partitions; p++) {
            this.#fds.push((0,external_node_fs_.openSync)((0,external_node_path_.join)(dir, `${name}.${p}`), "w+"));
            this.#buffers.push(new Uint32Array(2 * BUFFERED_PAIRS));
        }
        this.#fill = new Uint32Array(this.partitions);
        this.#written = new Array(this.partitions).fill(0);
    }
    add(key, value) {
        const p = this.partitions === 1 ? 0 : (key >>> this.#shift) & (this.partitions - 1);
        const buffer = this.#buffers[p];
        const at = this.#fill[p];
        buffer[at] = value;
        buffer[at + 1] = key;
        this.#fill[p] = at + 2;
        if (at + 2 === buffer.length)
            this.#flush(p);
    }
    #flush(p) {
        const words = this.#fill[p];
        if (words === 0)
            return;
        const bytes = Buffer.from(this.#buffers[p].buffer, 0, words * 4);
        let offset = 0;
        while (offset < bytes.length)
            offset += (0,external_node_fs_.writeSync)(this.#fds[p], bytes, offset, bytes.length - offset, this.#written[p] + offset);
        this.#written[p] += bytes.length;
        this.#fill[p] = 0;
    }
    /**
     * The partition's pairs, sorted by key then case: element = key · 2^32 + case. The array is a
     * view of one buffer the spill reuses (grown to the largest partition), so reading every
     * partition allocates once: it is valid until the next call.
     */
    sorted(p) {
        this.#flush(p);
        const bytes = this.#written[p];
        if (this.#scratch.byteLength < bytes)
            this.#scratch = new ArrayBuffer(Math.max(bytes, 2 * this.#scratch.byteLength));
        const words = new BigUint64Array(this.#scratch, 0, bytes / 8);
        const view = Buffer.from(this.#scratch, 0, bytes);
        let done = 0;
        while (done < bytes)
            done += (0,external_node_fs_.readSync)(this.#fds[p], view, done, bytes - done, done);
        return words.sort();
    }
    close() {
        for (const fd of this.#fds)
            (0,external_node_fs_.closeSync)(fd);
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/check-dataset.ts






















/** Which of a check's findings a run keeps: complete counts, the first `maxListed` locations. */
class Listing {
    items = [];
    count = 0;
    #limit;
    constructor(limit) {
        this.#limit = limit;
    }
    add(make) {
        this.count++;
        if (this.items.length < this.#limit)
            this.items.push(make());
    }
}
/** A label is shown and counted by its text, cut short: label sets are small words, not documents. */
function labelText(value) {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        return display_shown(String(value), 64);
    return "(not a scalar)";
}
function gate(severity, max, findings) {
    return { severity, max, findings, passed: severity !== "error" || findings <= max };
}
/**
 * Runs the configured checks over a dataset in one streaming pass, holding per case only what is
 * spilled to a scratch directory (hashes, signatures, locations), so memory stays flat as the
 * dataset grows; then groups the spilled hashes for duplicates. Returns the result; throws
 * InputError subclasses (exit 2) for what is wrong with the input itself: a missing path, no case
 * files, an unusable JSON Schema, a redacted copy that cannot be written. Problems inside the data
 * (bad rows, duplicates, contamination, PII) are findings in the result, never exceptions.
 */
async function checkDataset(options) {
    const parsed = src/* checksConfigSchema */.fNz.safeParse(options.config ?? {});
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new src/* InputError */.dzK(`checks.${issue.path.join(".")}: ${issue.message}`);
    }
    const scratch = await (0,promises_.mkdtemp)((0,external_node_path_.join)(options.tempDir ?? (0,external_node_os_.tmpdir)(), "llmops-check-"));
    const run = new CheckRun(parsed.data, options, scratch);
    try {
        return await run.execute();
    }
    finally {
        run.close();
        await (0,promises_.rm)(scratch, { recursive: true, force: true });
    }
}
class CheckRun {
    #config;
    #options;
    #scratch;
    #closers = [];
    constructor(config, options, scratch) {
        this.#config = config;
        this.#options = options;
        this.#scratch = scratch;
    }
    close() {
        for (const close of this.#closers.splice(0))
            close();
    }
    async execute() {
        const config = this.#config;
        const options = this.#options;
        const now = options.now ?? (() => new Date());
        const startedAt = now().toISOString();
        const cwd = options.cwd ?? process.cwd();
        const subject = options.subject ?? { ref: options.path, name: options.path };
        const listed = config.maxListed;
        const { logger } = options;
        const { files, skipped } = await selectCaseFiles((0,external_node_path_.resolve)(cwd, options.path), config.files, subject.ref);
        let jsonSchema;
        const schemaFile = config.schema.severity !== "off" ? config.schema.file : undefined;
        // Named by llmops.yaml (configDir given): never read from outside its directory.
        if (schemaFile !== undefined) {
            const path = options.configDir !== undefined
                ? await (0,src/* resolveInside */.LIw)(schemaFile, options.configDir, "checks.schema.file")
                : (0,external_node_path_.resolve)(cwd, schemaFile);
            jsonSchema = await loadJsonSchema(path, schemaFile);
        }
        const duplicates = config.duplicates;
        const contamination = config.contamination;
        const checkAgainst = contamination.severity !== "off" && (options.against?.length ?? 0) > 0;
        const wantDuplicates = duplicates.severity !== "off";
        const wantNear = (wantDuplicates && duplicates.near) || (checkAgainst && contamination.near);
        const banding = wantNear ? optimalBanding(duplicates.threshold, duplicates.permutations) : undefined;
        const permutations = duplicates.permutations;
        const piiKinds = new Set(config.pii.kinds);
        const scanPii = config.pii.severity !== "off";
        const fields = config.fields?.map(parseFieldPath);
        // The other versions first: their n-grams and buckets are what each case is looked up in.
        const against = [];
        if (checkAgainst) {
            for (const [i, source] of options.against.entries()) {
                const index = await AgainstIndex.build(source, {
                    scratch: this.#scratch,
                    name: `against-${i}`,
                    ngram: contamination.ngram,
                    shingle: duplicates.shingle,
                    permutations,
                    banding: contamination.near ? banding : undefined,
                    maxLineBytes: config.maxLineBytes,
                    logger,
                    ...(options.signal ? { signal: options.signal } : {}),
                });
                this.#closers.push(() => index.close());
                against.push({ index, overlap: 0, firstMatch: -1, contaminated: 0, ngramCases: 0, nearCases: 0, findings: [] });
            }
        }
        const table = new CaseTable(this.#scratch, "cases", permutations);
        this.#closers.push(() => table.close());
        // 2^4 partitions of exact-hash pairs, 2^6 of band pairs: at a million cases each holds ~1-2 MB.
        const exactSpill = wantDuplicates ? new PartitionedSpill(this.#scratch, "exact", 4) : undefined;
        if (exactSpill)
            this.#closers.push(() => exactSpill.close());
        const bandSpill = wantDuplicates && duplicates.near && banding ? new PartitionedSpill(this.#scratch, "bands", 6) : undefined;
        if (bandSpill)
            this.#closers.push(() => bandSpill.close());
        const redacted = options.redactTo ? await RedactedCopy.open((0,external_node_path_.resolve)(cwd, options.redactTo), piiKinds) : undefined;
        const schemaViolations = new Listing(listed);
        const schemaByKind = {};
        const requiredViolations = new Listing(listed);
        const labelViolations = new Listing(listed);
        const piiFindings = new Listing(listed);
        const piiByKind = {};
        let piiRows = 0;
        const words = new LengthHistogram();
        const chars = new LengthHistogram();
        const labelField = config.labels?.field ?? config.distributions.label;
        const labelSegments = labelField ? parseFieldPath(labelField) : undefined;
        const labels = new LabelCounter();
        // Without a label field, `expected` is counted while it looks like one (few short scalar values).
        const autoLabels = new LabelCounter();
        let autoLabelsOk = labelSegments === undefined;
        const allowed = config.labels ? new Set(config.labels.values) : undefined;
        const requiredFields = config.required?.severity !== "off" ? config.required?.fields.map((f) => ({ f, segments: parseFieldPath(f) })) : undefined;
        // No signatures (0 permutations) when nothing compares them: MinHash is most of the text work.
        const features = new TextFeatures({
            shingle: duplicates.shingle,
            ngram: checkAgainst ? contamination.ngram : 0,
            permutations: wantNear ? permutations : 0,
        });
        const packed = new Uint16Array(permutations);
        const otherSignature = new Uint16Array(permutations);
        const keys = new Int32Array(banding?.bands ?? 0);
        const hashWords = new Uint32Array(4);
        const identity = new Hash128();
        let rows = 0;
        let cases = 0;
        const checkedFiles = [];
        const onNgram = (hi, lo) => {
            for (const state of against) {
                const match = state.index.ngrams.get(hi, lo);
                if (match >= 0) {
                    state.overlap++;
                    if (state.firstMatch < 0)
                        state.firstMatch = match;
                }
            }
            ngramsOfCase++;
        };
        let ngramsOfCase = 0;
        const violation = (listing, file, line, kind, message, id, field) => {
            listing.add(() => ({
                file: display_shown(file.title, 1024),
                line,
                ...(id ? { id: display_shown(id, 256) } : {}),
                ...(field ? { field: display_shown(field, 512) } : {}),
                kind,
                message: display_shown(message, 1000),
            }));
        };
        // PII: one walker for the run; the row being scanned is in these variables while it walks.
        let piiFile = files[0];
        let piiLine = 0;
        let piiId;
        let piiFound = 0;
        const recordPii = (text, field) => {
            for (const match of detect_findPii(text, piiKinds)) {
                piiFound++;
                piiByKind[match.kind] = (piiByKind[match.kind] ?? 0) + 1;
                piiFindings.add(() => ({
                    file: display_shown(piiFile.title, 1024),
                    line: piiLine,
                    ...(piiId ? { id: display_shown(piiId, 256) } : {}),
                    field: display_shown(field() || "(row)", 512),
                    kind: match.kind,
                    masked: maskPii(match.kind, text.slice(match.start, match.end)).slice(0, 128),
                }));
            }
        };
        const piiWalker = new StringWalker((text) => recordPii(text, walkerPath));
        const walkerPath = () => piiWalker.path();
        const linePath = () => "(line)";
        const scanStringsForPii = (file, line, id, value, rawText) => {
            piiFile = file;
            piiLine = line;
            piiId = id;
            piiFound = 0;
            if (value !== undefined)
                piiWalker.walk(value, "", true);
            else if (rawText !== undefined)
                recordPii(rawText, linePath);
            if (piiFound > 0)
                piiRows++;
        };
        // Texts: each field hashed with its path and added lane-wise into the case's identity, so
        // field order does not matter; shingles, n-grams and lengths through `features`.
        const fieldHash = new Hash128();
        const fieldDigest = new Uint32Array(4);
        let textCount = 0;
        const addText = (text, root, trail) => {
            textCount++;
            fieldHash.reset();
            fieldHash.string(root);
            // Array indices as negative numbers: no string length (≥ 0) can stand for one.
            for (const step of trail)
                typeof step === "number" ? fieldHash.number(-1 - step) : fieldHash.string(step);
            fieldHash.string(text).digest(fieldDigest);
            for (let i = 0; i < 4; i++)
                hashWords[i] = (hashWords[i] + fieldDigest[i]) >>> 0;
            features.addText(text, checkAgainst ? onNgram : undefined);
        };
        const NO_TRAIL = [];
        const textWalker = new StringWalker((text, walker) => addText(text, walker.root, walker.trail));
        const addScalar = (text, path) => addText(text, path, NO_TRAIL);
        try {
            for (let f = 0; f < files.length; f++) {
                const file = files[f];
                let fileRows = 0;
                if (redacted && file.format === "jsonl")
                    await redacted.beginJsonl(file.title);
                try {
                    await readRows(file.path, file.title, file.format, {
                        maxLineBytes: config.maxLineBytes,
                        ...(options.signal ? { signal: options.signal } : {}),
                        ...(redacted ? { afterChunk: () => redacted.drain() } : {}),
                    }, (row) => {
                        const tooDeep = row.value !== undefined && nestingDepth(row.value) > MAX_NESTING;
                        if (redacted && file.format === "jsonl") {
                            redacted.line({
                                value: tooDeep ? undefined : row.value,
                                text: row.text,
                                blank: row.blank,
                                unsafe: tooDeep || row.text === undefined,
                            });
                        }
                        if (row.blank)
                            return;
                        rows++;
                        fileRows++;
                        if (rows % 250_000 === 0)
                            logger.debug(`check: ${subject.ref}: ${rows} rows`);
                        for (const problem of row.problems) {
                            schemaByKind[problem.kind] = (schemaByKind[problem.kind] ?? 0) + 1;
                            violation(schemaViolations, file, row.line, problem.kind, problem.message);
                        }
                        if (tooDeep) {
                            schemaByKind["too-deep"] = (schemaByKind["too-deep"] ?? 0) + 1;
                            violation(schemaViolations, file, row.line, "too-deep", `nested deeper than ${MAX_NESTING} levels; not checked further`);
                            return;
                        }
                        const cased = row.value === undefined ? undefined : caseViewOf(row, file.title);
                        const id = cased?.view.id || undefined;
                        if (scanPii)
                            scanStringsForPii(file, row.line, id, row.value, row.text);
                        if (row.value === undefined)
                            return;
                        if (!cased) {
                            schemaByKind["not-an-object"] = (schemaByKind["not-an-object"] ?? 0) + 1;
                            violation(schemaViolations, file, row.line, "not-an-object", "expected a case: a JSON object");
                            return;
                        }
                        cases++;
                        const view = cased.view;
                        if (jsonSchema) {
                            const outcome = jsonSchema.safeParse(row.value);
                            if (!outcome.success) {
                                const issue = outcome.error.issues[0];
                                schemaByKind["json-schema"] = (schemaByKind["json-schema"] ?? 0) + 1;
                                violation(schemaViolations, file, row.line, "json-schema", issue.message, id, issue.path.map(String).join("."));
                            }
                        }
                        else if (cased.error !== undefined && config.schema.severity !== "off") {
                            schemaByKind.case = (schemaByKind.case ?? 0) + 1;
                            violation(schemaViolations, file, row.line, "case", cased.error, id);
                        }
                        if (requiredFields) {
                            for (const { f: field, segments } of requiredFields) {
                                if (!isPresent(resolveField(view, segments))) {
                                    violation(requiredViolations, file, row.line, "missing", `expected a value for ${field}`, id, field);
                                }
                            }
                        }
                        this.#labels(view, labelSegments, labels, allowed, (message) => violation(labelViolations, file, row.line, "label", message, id, labelField));
                        if (autoLabelsOk)
                            autoLabelsOk = countAutoLabel(view, autoLabels);
                        // Texts: lengths, the exact hash, shingles (MinHash) and n-grams (contamination).
                        hashWords.fill(0);
                        textCount = 0;
                        features.beginCase();
                        ngramsOfCase = 0;
                        for (const state of against) {
                            state.overlap = 0;
                            state.firstMatch = -1;
                        }
                        forEachCaseText(view, fields, textWalker, addScalar);
                        // A case without text is identified by all its values (so only true copies are duplicates).
                        if (textCount === 0) {
                            identity.reset();
                            identity.string((0,src/* canonicalJson */.djW)({ vars: view.vars, expected: view.expected ?? null })).digest(hashWords);
                        }
                        words.add(features.words);
                        chars.add(features.chars);
                        const hasSignature = wantNear && !features.minhash.empty;
                        if (hasSignature)
                            packSignature(features.minhash.signature, packed);
                        // Redacted before the table cuts it to 60 bytes: a cut address would no longer be recognised.
                        const index = table.append(f, row.line, display_shown(view.id, 60), hashWords, hasSignature ? packed : undefined);
                        exactSpill?.add(hashWords[0], index);
                        if (hasSignature && banding) {
                            bandKeys(features.minhash.signature, banding, keys);
                            if (bandSpill)
                                for (let b = 0; b < keys.length; b++)
                                    bandSpill.add(keys[b], index);
                        }
                        for (const state of against)
                            this.#contamination(state, file, row.line, view, ngramsOfCase, hasSignature ? keys : undefined, packed, otherSignature);
                    });
                }
                catch (error) {
                    const code = error.code;
                    if (typeof code === "string" && !(error instanceof src/* InputError */.dzK)) {
                        throw new src/* InputError */.dzK(`${subject.ref}: ${display_shown(file.title, 1024)} cannot be read (${code})`, { cause: error });
                    }
                    throw error;
                }
                if (redacted) {
                    if (file.format === "jsonl")
                        await redacted.endJsonl();
                    else
                        await redacted.wholeFile(file.title, file.path, file.format);
                }
                checkedFiles.push({ path: display_shown(file.title, 1024), format: file.format, bytes: file.size, rows: fileRows });
            }
            table.flush();
            if (redacted)
                await redacted.finish();
        }
        catch (error) {
            await redacted?.abort();
            throw error;
        }
        const location = (index, source, list) => {
            const record = source.record(index);
            return { file: display_shown(list[record.file]?.title ?? "?", 1024), line: record.line, ...(record.id ? { id: display_shown(record.id, 256) } : {}) };
        };
        const result = {
            schemaVersion: 1,
            dataset: subject,
            passed: true,
            reasons: [],
            startedAt,
            finishedAt: startedAt,
            files: checkedFiles.slice(0, 1000),
            skippedFiles: skipped.slice(0, 1000).map((s) => ({ path: display_shown(s.path, 1024), reason: s.reason })),
            rows,
            cases,
            checks: [],
            distributions: { words: words.stats(), chars: chars.stats() },
        };
        const checks = result.checks;
        if (config.schema.severity !== "off") {
            checks.push({
                name: "schema",
                ...gate(config.schema.severity, config.schema.max, schemaViolations.count),
                kinds: schemaByKind,
                mode: jsonSchema ? "json-schema" : "case",
                ...(schemaFile ? { file: schemaFile } : {}),
                violations: schemaViolations.items,
            });
        }
        if (config.required && requiredFields) {
            checks.push({
                name: "required",
                ...gate(config.required.severity, config.required.max, requiredViolations.count),
                kinds: { missing: requiredViolations.count },
                fields: config.required.fields,
                violations: requiredViolations.items,
            });
        }
        if (config.labels && config.labels.severity !== "off") {
            checks.push({
                name: "labels",
                ...gate(config.labels.severity, config.labels.max, labelViolations.count),
                kinds: { label: labelViolations.count },
                field: config.labels.field,
                allowed: config.labels.values.map((v) => display_shown(v, 1000)),
                violations: labelViolations.items,
            });
        }
        if (wantDuplicates && exactSpill) {
            const found = findDuplicates({
                table,
                exactSpill,
                bandSpill,
                threshold: duplicates.threshold,
                listed,
                ...(options.signal ? { signal: options.signal } : {}),
            });
            checks.push({
                name: "duplicates",
                ...gate(duplicates.severity, duplicates.max, found.exact + found.near),
                kinds: { exact: found.exact, near: found.near },
                exact: found.exact,
                near: found.near,
                threshold: duplicates.threshold,
                shingle: duplicates.shingle,
                permutations,
                bands: banding?.bands ?? 0,
                rows: banding?.rows ?? 0,
                comparisons: found.comparisons,
                pairs: found.pairs.map((p) => ({
                    first: location(p.first, table, files),
                    second: location(p.second, table, files),
                    similarity: Math.round(p.similarity * 1e4) / 1e4,
                    exact: p.exact,
                })),
            });
        }
        if (checkAgainst) {
            const total = against.reduce((sum, s) => sum + s.contaminated, 0);
            checks.push({
                name: "contamination",
                ...gate(contamination.severity, contamination.max, total),
                kinds: {
                    ngram: against.reduce((sum, s) => sum + s.ngramCases, 0),
                    near: against.reduce((sum, s) => sum + s.nearCases, 0),
                },
                against: against.map((s) => ({
                    ref: s.index.source.subject.ref,
                    ...(s.index.source.subject.digest ? { digest: s.index.source.subject.digest } : {}),
                    cases: s.index.cases,
                    ngram: contamination.ngram,
                    ngramsIndexed: s.index.ngrams.size,
                    contaminated: s.contaminated,
                    ngramCases: s.ngramCases,
                    nearCases: s.nearCases,
                    findings: s.findings,
                })),
            });
        }
        if (scanPii) {
            const count = Object.values(piiByKind).reduce((sum, n) => sum + n, 0);
            checks.push({
                name: "pii",
                ...gate(config.pii.severity, config.pii.max, count),
                kinds: piiByKind,
                detectors: config.pii.kinds,
                rows: piiRows,
                locations: piiFindings.items,
                ...(redacted
                    ? {
                        redacted: {
                            path: redacted.dest,
                            files: redacted.files,
                            droppedLines: redacted.droppedLines,
                            droppedFiles: redacted.droppedFiles,
                        },
                    }
                    : {}),
            });
        }
        const labelCounts = labelSegments
            ? labels
            : autoLabelsOk && autoLabels.distinct > 0 && autoLabels.distinct <= 50
                ? autoLabels
                : undefined;
        if (labelCounts) {
            const { values, other } = labelCounts.values(listed);
            result.distributions.label = { field: labelField ?? "expected", values, other, missing: labelCounts.missing };
        }
        const reasons = checks.filter((check) => !check.passed).map(failureReason);
        result.reasons = reasons;
        result.passed = reasons.length === 0;
        result.finishedAt = now().toISOString();
        logger.debug(`check: ${subject.ref}: ${rows} rows, ${cases} cases, ${result.passed ? "passed" : "failed"}`);
        return result_checkResultSchema.parse(result);
    }
    /** The label of a case: counted for the distribution, and checked against the allowed set. */
    #labels(view, segments, counter, allowed, report) {
        if (!segments)
            return;
        const found = resolveField(view, segments);
        const raw = found.find((v) => v.value !== undefined && v.value !== null)?.value;
        const label = labelText(raw);
        counter.add(label);
        if (!allowed || this.#config.labels?.severity === "off")
            return;
        if (raw === undefined || raw === null)
            report("expected a label; the case has none");
        else if (typeof raw === "object")
            report("expected a label (a string, number or boolean); got an object or array");
        else if (!allowed.has(String(raw)))
            report(`"${label}" is not an allowed label`);
    }
    /** One case against one other version: n-gram overlap (counted by the callback) and near-duplicate candidates. */
    #contamination(state, file, line, view, ngrams, keys, signature, other) {
        const listed = this.#config.maxListed;
        const here = () => ({ file: display_shown(file.title, 1024), line, ...(view.id ? { id: display_shown(view.id, 256) } : {}) });
        const there = (match) => {
            const record = state.index.table.record(match);
            return {
                file: display_shown(state.index.files[record.file]?.title ?? "?", 1024),
                line: record.line,
                ...(record.id ? { id: display_shown(record.id, 256) } : {}),
            };
        };
        let contaminated = false;
        if (state.overlap > 0) {
            contaminated = true;
            state.ngramCases++;
            if (state.findings.length < listed) {
                state.findings.push({ case: here(), against: there(state.firstMatch), kind: "ngram", overlap: state.overlap, ngrams });
            }
        }
        const bands = state.index.bands;
        if (keys && bands) {
            const tried = new Set();
            const threshold = this.#config.duplicates.threshold;
            let best = -1;
            let bestSimilarity = 0;
            for (let b = 0; b < keys.length && best < 0 && tried.size < MAX_BUCKET_COMPARISONS; b++) {
                bands.forEach(keys[b], (candidate) => {
                    if (tried.has(candidate))
                        return true;
                    tried.add(candidate);
                    state.index.table.signature(candidate, other);
                    const s = similarity(other, 0, signature, 0, other.length);
                    if (s >= threshold) {
                        best = candidate;
                        bestSimilarity = s;
                        return false;
                    }
                    return tried.size < MAX_BUCKET_COMPARISONS;
                });
            }
            if (best >= 0) {
                contaminated = true;
                state.nearCases++;
                if (state.overlap === 0 && state.findings.length < listed) {
                    state.findings.push({ case: here(), against: there(best), kind: "near", similarity: Math.round(bestSimilarity * 1e4) / 1e4 });
                }
            }
        }
        if (contaminated)
            state.contaminated++;
    }
}
/** `expected` counted as a label while every value is a short scalar; false once one is not. */
function countAutoLabel(view, counter) {
    const value = view.expected;
    if (value === undefined || value === null) {
        counter.add(undefined);
        return true;
    }
    if (typeof value === "object" || String(value).length > 64)
        return false;
    counter.add(labelText(value));
    return counter.distinct <= 50;
}
const FINDING_NOUNS = {
    schema: "schema violations",
    required: "missing values",
    labels: "cases with a label outside the allowed set",
    duplicates: "duplicate cases",
    contamination: "cases found in the other version",
    pii: "personal data or secrets",
};
/** `pii: 3 personal data or secrets (max 0; email 2, phone 1)`: why a check failed, in one line. */
function failureReason(check) {
    const kinds = Object.entries(check.kinds)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`);
    const against = check.name === "contamination" ? check.against.map((a) => `${a.ref}: ${a.contaminated}`) : [];
    const detail = [...kinds, ...against].join(", ");
    return `${check.name}: ${check.findings} ${FINDING_NOUNS[check.name]} (max ${check.max}${detail ? `; ${detail}` : ""})`;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/record.ts


/**
 * Check records: referrers (`application/vnd.llmops.check.v1+json`) of the dataset version they
 * checked, one `check.json` each (the CheckResult), so "was this data checked, and what was
 * found" is read from the store itself, beside the version's eval evidence and promotions.
 */
const CHECK_FILE = "check.json";
const ANNOTATION_CHECK_PASSED = "dev.llmops.check.passed";
/**
 * The largest check.json read back. A result holds at most 1000 entries per list and bounded
 * strings (CHECK_RESULT_LIMITS), a few MB at worst: a larger file is foreign and is not read.
 */
const CHECK_FILE_MAX_BYTES = (/* unused pure expression or super */ null && (16 * 1024 * 1024));
/** Validates and attaches the result to `subject`; returns the referrer's digest. */
async function record_recordCheck(store, subject, result) {
    const parsed = result_checkResultSchema.parse(result);
    const { digest } = await store.attachEvidence(subject, {
        artifactType: src/* CHECK_ARTIFACT_TYPE */.r_H,
        files: [{ title: CHECK_FILE, mediaType: "application/json", data: new TextEncoder().encode((0,src/* canonicalJson */.djW)(parsed)) }],
        annotations: {
            [src/* ANNOTATION_CREATED */.HaO]: parsed.finishedAt,
            [ANNOTATION_CHECK_PASSED]: parsed.passed ? "true" : "false",
        },
    });
    return digest;
}
/**
 * Check records of `subject`, newest first. Records that do not parse (a foreign writer, a newer
 * schema, a file over CHECK_FILE_MAX_BYTES, a string beyond the result's limits) are skipped with
 * a debug line, never trusted half-read.
 */
async function record_readCheckRecords(store, subject, options) {
    const records = await store.readEvidenceJson(subject, {
        artifactType: CHECK_ARTIFACT_TYPE,
        file: CHECK_FILE,
        schema: checkResultSchema,
        maxBytes: CHECK_FILE_MAX_BYTES,
        what: "check record",
        logger: options.logger,
    });
    return records
        .map(({ digest, value }) => ({ digest, result: value }))
        .sort((a, b) => (a.result.finishedAt < b.result.finishedAt ? 1 : a.result.finishedAt > b.result.finishedAt ? -1 : 0));
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/run-check.ts








function datasetInput(text, cwd) {
    if ((0,external_node_fs_.existsSync)((0,external_node_path_.resolve)(cwd, text)))
        return { kind: "path", path: (0,external_node_path_.resolve)(cwd, text) };
    if (/[:@]/.test(text)) {
        (0,store_src/* parseRef */.rd)(text); // an InputError naming what a ref looks like
        return { kind: "version", ref: text };
    }
    throw new src/* InputError */.dzK(`${text}: no such file or directory, and not a ref (name:alias, name:vN or name@sha256:…)`);
}
/** The declared artifact for a ref's name, or for a directory: by name when given, else by its path. */
function artifactFor(input, loaded, named) {
    const artifacts = loaded?.config.artifacts ?? {};
    if (named !== undefined) {
        const config = artifacts[named];
        if (!config)
            throw new src/* InputError */.dzK(`--artifact ${named}: llmops.yaml declares no such artifact`);
        return { name: named, config };
    }
    if (input.kind === "version") {
        const name = (0,store_src/* parseRef */.rd)(input.ref).name;
        const config = artifacts[name];
        return config ? { name, config } : undefined;
    }
    for (const [name, config] of Object.entries(artifacts)) {
        if (loaded && (0,external_node_path_.resolve)(loaded.dir, config.path) === input.path)
            return { name, config };
    }
    return undefined;
}
/**
 * `llmops check`: materializes refs from the store into a scratch directory (hard links from a
 * layout store, so nothing is copied), finds each artifact's `checks:` in llmops.yaml, runs
 * checkDataset, and with `record` attaches the result to the version checked. The scratch
 * directory is removed whatever happens.
 */
async function run_check_runCheck(options) {
    if (options.targetIsRef)
        (0,store_src/* parseRef */.rd)(options.target); // an InputError naming what a ref looks like
    const target = options.targetIsRef ? { kind: "version", ref: options.target } : datasetInput(options.target, options.cwd);
    if (options.record && target.kind !== "version") {
        throw new src/* UsageError */.ebp("--record needs a dataset version (a ref such as acme/train:v3) to attach the result to, not a directory");
    }
    const artifact = artifactFor(target, options.loaded, options.artifact);
    const checks = artifact?.config.checks ?? {};
    let store;
    const getStore = () => {
        store ??= options.openStore();
        return store;
    };
    const scratch = await (0,promises_.mkdtemp)((0,external_node_path_.join)(options.tempDir ?? (0,external_node_os_.tmpdir)(), "llmops-check-input-"));
    try {
        let n = 0;
        const materialize = async (ref) => {
            const version = await getStore().resolve(ref);
            const dir = (0,external_node_path_.join)(scratch, `dataset-${n++}`);
            await getStore().materialize(`${version.name}@${version.digest}`, dir);
            return {
                path: dir,
                version,
                subject: { ref, name: version.name, digest: version.digest, ...(version.version ? { version: version.version } : {}) },
            };
        };
        let path;
        let subject;
        let version;
        if (target.kind === "version") {
            ({ path, subject, version } = await materialize(target.ref));
        }
        else {
            path = target.path;
            subject = { ref: options.target, name: artifact?.name ?? options.target };
        }
        const againstInputs = options.against && options.against.length > 0 ? options.against : (checks.contamination?.against ?? []);
        const against = [];
        const fromCommandLine = options.against !== undefined && options.against.length > 0;
        for (const text of againstInputs) {
            // Command-line paths are the caller's own, relative to the working directory. Configured
            // ones come with llmops.yaml (a pull request can change it): relative to it, and never
            // outside its directory, or a check would read, and report on, any file of the machine.
            const base = fromCommandLine ? options.cwd : (options.loaded?.dir ?? options.cwd);
            let input = datasetInput(text, base);
            if (!fromCommandLine && input.kind === "path")
                input = { kind: "path", path: await (0,src/* resolveInside */.LIw)(text, base, "checks.contamination.against") };
            const declared = artifactFor(input, options.loaded, undefined)?.config.checks;
            const own = { ...(declared?.fields ? { fields: declared.fields } : {}), ...(declared?.files ? { files: declared.files } : {}) };
            if (input.kind === "version") {
                const fetched = await materialize(input.ref);
                against.push({ path: fetched.path, subject: fetched.subject, ...own });
            }
            else
                against.push({ path: input.path, subject: { ref: text, name: text }, ...own });
        }
        const result = await checkDataset({
            path,
            subject,
            config: checks,
            configDir: options.loaded?.dir ?? options.cwd,
            cwd: options.cwd,
            against,
            logger: options.logger,
            ...(options.redactTo ? { redactTo: (0,external_node_path_.resolve)(options.cwd, options.redactTo) } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            tempDir: options.tempDir ?? (0,external_node_os_.tmpdir)(),
        });
        const outcome = { result, ...(version ? { version } : {}) };
        if (options.record && version)
            outcome.record = await record_recordCheck(getStore(), version, result);
        return outcome;
    }
    finally {
        await (0,promises_.rm)(scratch, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/gates.ts






/**
 * Dataset checks as gates: before `version` stores a dataset and before `eval` reads one. One home
 * for what is checked, what a failure stops and what is recorded, used by the CLI and the actions
 * alike (a gate that only one of them ran would let the other store unchecked data).
 */
/** A check gate refused: nothing was stored (version) or no suite ran (eval). A verdict, exit 1. */
class DatasetChecksFailedError extends src/* LlmopsError */.WHU {
    /** Each failed result with what its failure stopped ("nothing stored", "read by suite x; no suite was run"). */
    failures;
    constructor(failures) {
        super(failures.map(({ result, stopped }) => describeFailure(result, stopped)).join("; "), src/* ExitCode */.yUi.GateFailed);
        this.failures = failures;
    }
}
/** One line: which dataset, why, and what that stopped. */
function describeFailure(result, stopped) {
    return `${result.dataset.name}: failed its checks (${result.reasons.join("; ")}); ${stopped}`;
}
async function checkDirectory(context, artifact, path) {
    // Named relative to the working directory: reports and job summaries show `data`, not the runner's absolute path.
    const shown = relative(context.cwd, path);
    const { result } = await runCheck({
        target: shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path,
        artifact,
        loaded: context.loaded,
        openStore: context.openStore,
        cwd: context.cwd,
        logger: context.logger,
        ...(context.signal ? { signal: context.signal } : {}),
    });
    return result;
}
/**
 * Attaches the check result to the version just stored, naming that version as what was checked.
 * A version `reuseUnchanged` kept that already has a passed check record gets no second one (a
 * failed, foreign or unreadable record does not count).
 */
async function recordOnVersion(store, version, result, logger) {
    const subject = { name: version.name, digest: version.digest, version: version.version };
    if (version.unchanged && (await readCheckRecords(store, subject, { logger })).some((record) => record.result.passed))
        return { passed: result.passed, result };
    const record = await recordCheck(store, subject, { ...result, dataset: { ref: version.ref, ...subject } });
    return { passed: result.passed, record, result };
}
/**
 * Versions every declared artifact (or `only` those) like versionDeclared, with each dataset that
 * declares `checks:` checked first (unless `check` is false): one failed check stores nothing
 * (DatasetChecksFailedError), and each result is recorded on the version it checked.
 */
async function versionDeclaredChecked(store, context, options) {
    const checked = new Map();
    const gate = { ...context, openStore: () => store };
    const results = await versionDeclared(store, {
        artifacts: context.loaded.config.artifacts,
        configDir: context.loaded.dir,
        ...(options.only ? { only: options.only } : {}),
        ...(options.common ? { common: options.common } : {}),
        beforeVersioning: async (plan) => {
            if (!options.check)
                return;
            for (const { name, artifact, path } of plan) {
                // A missing path is version's to report, after this.
                if (artifact.kind !== "dataset" || !artifact.checks || !existsSync(path))
                    continue;
                checked.set(name, await checkDirectory(gate, name, path));
            }
            const failed = [...checked.values()].filter((result) => !result.passed);
            if (failed.length > 0)
                throw new DatasetChecksFailedError(failed.map((result) => ({ result, stopped: "nothing stored" })));
        },
    });
    const out = [];
    for (const result of results) {
        const check = checked.get(result.name);
        out.push(check ? { ...result, check: await recordOnVersion(store, result, check, context.logger) } : result);
    }
    return out;
}
/**
 * `version <path>` gated by the `checks:` llmops.yaml declares for the dataset `version.name`:
 * the directory is checked, a failure stores nothing, and the result is recorded on the version.
 */
async function versionChecked(store, context, version) {
    const artifact = context.loaded.config.artifacts[version.name];
    if (version.kind !== "dataset" || !artifact?.checks) {
        const file = context.loaded.file !== undefined ? relative(context.cwd, context.loaded.file) || context.loaded.file : "llmops.yaml";
        throw new NoDeclaredChecksError(version.name, version.kind, file);
    }
    const result = await checkDirectory({ ...context, openStore: () => store }, version.name, resolve(context.cwd, version.path));
    if (!result.passed)
        throw new DatasetChecksFailedError([{ result, stopped: "nothing stored" }]);
    const stored = await store.version(version);
    return { ...stored, check: await recordOnVersion(store, stored, result, context.logger) };
}
/** A check was asked for a path whose artifact llmops.yaml does not declare as a dataset with `checks:`. */
class NoDeclaredChecksError extends src/* LlmopsError */.WHU {
    constructor(name, kind, file) {
        super(kind !== "dataset"
            ? `checks apply to a dataset; ${name} is versioned as a ${kind} (version it without a check)`
            : `${file} declares no artifact ${name} with checks:; add checks: under artifacts.${name} there, or version it without a check`, src/* ExitCode */.yUi.Usage);
    }
}
/**
 * The `checks:` of each dataset version the suites read their cases from (`casesFrom: { dataset }`,
 * by the dataset's name in `artifacts:`), run before any suite: a failure throws
 * DatasetChecksFailedError naming the suites that read it. A dataset without `checks:` is
 * warned about and not checked. Each ref is resolved once and the version checked by digest; the
 * returned digests are what eval must read (EvaluateOptions.datasetDigests), so an alias moved
 * between the check and the run cannot slip an unchecked version in.
 */
async function checkSuiteDatasets(context, suites) {
    const { config } = context.loaded;
    const selected = suites.length ? config.suites.filter((suite) => suites.includes(suite.name)) : config.suites;
    const readers = new Map();
    for (const suite of selected) {
        const ref = typeof suite.casesFrom === "object" ? suite.casesFrom.dataset : undefined;
        if (ref === undefined)
            continue;
        if (!config.artifacts[(0,store_src/* parseRef */.rd)(ref).name]?.checks) {
            context.logger.warn(`check: suite ${suite.name}: llmops.yaml declares no checks: for dataset ${ref}; not checked`);
            continue;
        }
        readers.set(ref, [...(readers.get(ref) ?? []), suite.name]);
    }
    const out = [];
    for (const ref of readers.keys()) {
        const version = await context.openStore().resolve(ref);
        const { result } = await run_check_runCheck({
            // By digest, and as a ref even when a directory of that name exists: what the suite will read.
            target: `${version.name}@${version.digest}`,
            targetIsRef: true,
            openStore: context.openStore,
            loaded: context.loaded,
            cwd: context.cwd,
            logger: context.logger,
            ...(context.signal ? { signal: context.signal } : {}),
        });
        context.logger.info(`check: dataset ${ref} (${version.digest}): ${result.passed ? "passed" : "FAILED"}`);
        out.push({ ref, digest: version.digest, result: { ...result, dataset: { ...result.dataset, ref } } });
    }
    const failed = out.filter(({ result }) => !result.passed);
    if (failed.length > 0) {
        throw new DatasetChecksFailedError(failed.map(({ ref, result }) => ({ result, stopped: `read by suite ${(readers.get(ref) ?? []).join(", ")}; no suite was run` })));
    }
    return out;
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/render.ts


/**
 * People's views of a check result: Markdown (a job summary, a PR comment, a demo report) with a
 * table per finding kind and Mermaid charts of the distributions, and plain text for the CLI.
 * Every string from a dataset was redacted and bounded when the result was made; here it is
 * escaped for where it goes (escapeInline/codeSpan in Markdown, control characters out in text).
 */
/** Findings listed per check in the Markdown and the text (the result holds up to maxListed). */
const SHOWN = 20;
function where(location) {
    return `${location.file}:${location.line}${location.id ? ` (${location.id})` : ""}`;
}
function bucketLabel(bucket) {
    return bucket.from === bucket.to ? String(bucket.from) : `${bucket.from}-${bucket.to}`;
}
function verdict(check) {
    if (check.severity === "warn")
        return check.findings > 0 ? "⚠️ warn" : "✅";
    return check.passed ? "✅" : "❌";
}
function kindsText(kinds) {
    return Object.entries(kinds)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${(0,src/* formatNumber */.ZVp)(n)}`)
        .join(", ");
}
/** Markdown for one check's findings: a table of the first SHOWN, and how many more there are. */
function findingsMarkdown(check) {
    const more = (listed) => (check.findings > listed ? [``, `… and ${(0,src/* formatNumber */.ZVp)(check.findings - listed)} more`] : []);
    switch (check.name) {
        case "schema":
        case "required":
        case "labels": {
            if (check.violations.length === 0)
                return [];
            const rows = check.violations
                .slice(0, SHOWN)
                .map((v) => `| ${(0,report_src/* codeSpan */.SS)(where(v), { inTable: true })} | ${(0,report_src/* escapeInline */.VV)(v.kind)} | ${(0,report_src/* escapeInline */.VV)(v.field ?? "")} | ${(0,report_src/* escapeInline */.VV)(v.message)} |`);
            return ["| case | kind | field | problem |", "| --- | --- | --- | --- |", ...rows, ...more(rows.length)];
        }
        case "duplicates": {
            if (check.pairs.length === 0)
                return [];
            const rows = check.pairs
                .slice(0, SHOWN)
                .map((p) => `| ${(0,report_src/* codeSpan */.SS)(where(p.second), { inTable: true })} | ${(0,report_src/* codeSpan */.SS)(where(p.first), { inTable: true })} | ${p.exact ? "exact" : (0,src/* formatNumber */.ZVp)(p.similarity)} |`);
            return ["| case | repeats | similarity |", "| --- | --- | --- |", ...rows, ...more(rows.length)];
        }
        case "contamination": {
            const lines = [];
            for (const a of check.against) {
                lines.push("", `**${(0,report_src/* escapeInline */.VV)(a.ref)}**: ${(0,src/* formatNumber */.ZVp)(a.contaminated)} of this version's cases overlap (${(0,src/* formatNumber */.ZVp)(a.ngramCases)} share a ${a.ngram}-gram, ${(0,src/* formatNumber */.ZVp)(a.nearCases)} near duplicates), against ${(0,src/* formatNumber */.ZVp)(a.cases)} cases`);
                if (a.findings.length === 0)
                    continue;
                lines.push("", "| case | found in | how |", "| --- | --- | --- |");
                for (const f of a.findings.slice(0, SHOWN)) {
                    const how = f.kind === "ngram"
                        ? `${(0,src/* formatNumber */.ZVp)(f.overlap ?? 0)} of ${(0,src/* formatNumber */.ZVp)(f.ngrams ?? 0)} ${a.ngram}-grams`
                        : `near duplicate (${(0,src/* formatNumber */.ZVp)(f.similarity ?? 0)})`;
                    lines.push(`| ${(0,report_src/* codeSpan */.SS)(where(f.case), { inTable: true })} | ${(0,report_src/* codeSpan */.SS)(where(f.against), { inTable: true })} | ${how} |`);
                }
                if (a.contaminated > Math.min(a.findings.length, SHOWN))
                    lines.push("", `… and ${(0,src/* formatNumber */.ZVp)(a.contaminated - Math.min(a.findings.length, SHOWN))} more`);
            }
            return lines;
        }
        case "pii": {
            const lines = [];
            if (check.locations.length > 0) {
                lines.push("| case | field | kind | masked |", "| --- | --- | --- | --- |");
                for (const f of check.locations.slice(0, SHOWN)) {
                    lines.push(`| ${(0,report_src/* codeSpan */.SS)(where(f), { inTable: true })} | ${(0,report_src/* escapeInline */.VV)(f.field ?? "")} | ${f.kind} | ${(0,report_src/* codeSpan */.SS)(f.masked, { inTable: true })} |`);
                }
                lines.push(...more(Math.min(check.locations.length, SHOWN)));
            }
            if (check.redacted) {
                lines.push("", `Redacted copy: ${(0,report_src/* codeSpan */.SS)(check.redacted.path)} (${(0,src/* formatNumber */.ZVp)(check.redacted.files)} files${check.redacted.droppedLines ? `, ${(0,src/* formatNumber */.ZVp)(check.redacted.droppedLines)} lines left blank` : ""})`);
            }
            return lines;
        }
    }
}
function lengthChart(title, stats) {
    if (stats.count === 0)
        return [];
    const buckets = stats.histogram;
    return [
        "```mermaid",
        "xychart-beta",
        `    title "${(0,report_src/* mermaidLabel */._b)(title, 40)}"`,
        `    x-axis [${buckets.map((b) => `"${bucketLabel(b)}"`).join(", ")}]`,
        `    y-axis "cases"`,
        `    bar [${buckets.map((b) => b.count).join(", ")}]`,
        "```",
    ];
}
/** The check as Markdown: a summary table, findings per check, and the distributions as tables and Mermaid charts. */
function renderCheckMarkdown(result) {
    const lines = [];
    const name = result.dataset.digest ? `${result.dataset.ref} (${result.dataset.digest.slice(0, 19)}…)` : result.dataset.ref;
    lines.push(`### Dataset check: ${(0,report_src/* escapeInline */.VV)(name)} ${result.passed ? "✅ passed" : "❌ failed"}`, "");
    lines.push(`${(0,src/* formatNumber */.ZVp)(result.cases)} cases in ${(0,src/* formatNumber */.ZVp)(result.rows)} rows of ${(0,src/* formatNumber */.ZVp)(result.files.length)} file${result.files.length === 1 ? "" : "s"}`, "");
    if (result.checks.length > 0) {
        lines.push("| check | findings | max | severity | |", "| --- | --- | --- | --- | --- |");
        for (const check of result.checks) {
            const kinds = kindsText(check.kinds);
            lines.push(`| ${check.name} | ${(0,src/* formatNumber */.ZVp)(check.findings)}${kinds ? ` (${(0,report_src/* escapeInline */.VV)(kinds)})` : ""} | ${check.max} | ${check.severity} | ${verdict(check)} |`);
        }
    }
    for (const check of result.checks) {
        const body = findingsMarkdown(check);
        if (body.length === 0)
            continue;
        lines.push("", `<details${check.passed && check.findings === 0 ? "" : " open"}><summary>${check.name}</summary>`, "", ...body, "", "</details>");
    }
    const { words, chars, label } = result.distributions;
    lines.push("", "#### Lengths", "", "| | min | p50 | p90 | p99 | max | mean |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const [what, s] of [
        ["words", words],
        ["characters", chars],
    ]) {
        lines.push(`| ${what} | ${s.min} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} | ${(0,src/* formatNumber */.ZVp)(s.mean)} |`);
    }
    lines.push("", ...lengthChart("Words per case", words));
    if (label && label.values.length > 0) {
        const total = label.values.reduce((sum, v) => sum + v.count, 0) + label.other + label.missing;
        lines.push("", `#### Labels (${(0,report_src/* escapeInline */.VV)(label.field)})`, "", "| label | cases | share |", "| --- | --- | --- |");
        const share = (n) => `${(0,src/* formatNumber */.ZVp)((100 * n) / Math.max(1, total))}%`;
        for (const v of label.values.slice(0, SHOWN))
            lines.push(`| ${(0,report_src/* escapeInline */.VV)(v.value)} | ${(0,src/* formatNumber */.ZVp)(v.count)} | ${share(v.count)} |`);
        const rest = label.values.slice(SHOWN).reduce((sum, v) => sum + v.count, 0) + label.other;
        if (rest > 0)
            lines.push(`| (other) | ${(0,src/* formatNumber */.ZVp)(rest)} | ${share(rest)} |`);
        if (label.missing > 0)
            lines.push(`| (none) | ${(0,src/* formatNumber */.ZVp)(label.missing)} | ${share(label.missing)} |`);
        lines.push("", "```mermaid", `pie title ${(0,report_src/* mermaidLabel */._b)(`Labels: ${label.field}`, 40)}`);
        for (const v of label.values.slice(0, 12))
            lines.push(`    "${(0,report_src/* mermaidLabel */._b)(v.value, 30)}" : ${v.count}`);
        const others = label.values.slice(12).reduce((sum, v) => sum + v.count, 0) + label.other;
        if (others > 0)
            lines.push(`    "other" : ${others}`);
        lines.push("```");
    }
    return `${lines.join("\n")}\n`;
}
/** Text from the result for a terminal: no control characters, one line each. */
function plain(text) {
    return stripControlChars(text).replace(/[\r\n\u2028\u2029]+/g, " ");
}
/** The CLI's human report: the verdict, one line per check, the first findings of each. */
function describeCheckResult(result, shown = 5) {
    const lines = [];
    const digest = result.dataset.digest ? ` ${result.dataset.digest}` : "";
    lines.push(`${plain(result.dataset.ref)}${digest}: ${result.passed ? "passed" : "FAILED"}`);
    lines.push(`  ${result.cases} cases in ${result.rows} rows of ${result.files.length} file${result.files.length === 1 ? "" : "s"}${result.skippedFiles.length ? ` (${result.skippedFiles.length} other files skipped)` : ""}`);
    for (const check of result.checks) {
        const mark = check.severity === "off" ? "off" : check.passed ? (check.findings > 0 ? "warn" : "ok") : "FAIL";
        const kinds = kindsText(check.kinds);
        lines.push(`  ${check.name.padEnd(13)} ${mark.padEnd(4)}  ${check.findings} found (max ${check.max}, ${check.severity})${kinds ? `: ${kinds}` : ""}`);
        const details = [];
        switch (check.name) {
            case "schema":
            case "required":
            case "labels":
                for (const v of check.violations)
                    details.push(`${where(v)}: ${v.kind}${v.field ? ` ${v.field}` : ""}: ${v.message}`);
                break;
            case "duplicates":
                for (const p of check.pairs)
                    details.push(`${where(p.second)} repeats ${where(p.first)}${p.exact ? " (exact)" : ` (similarity ${formatNumber(p.similarity)})`}`);
                break;
            case "contamination":
                for (const a of check.against) {
                    details.push(`against ${a.ref}: ${a.contaminated} cases (${a.ngramCases} share a ${a.ngram}-gram, ${a.nearCases} near duplicates)`);
                    for (const f of a.findings.slice(0, shown)) {
                        details.push(`  ${where(f.case)} ~ ${where(f.against)}: ${f.kind === "ngram" ? `${f.overlap} of ${f.ngrams} ${a.ngram}-grams` : `near duplicate (${formatNumber(f.similarity ?? 0)})`}`);
                    }
                }
                break;
            case "pii":
                for (const f of check.locations)
                    details.push(`${where(f)} ${f.field ?? ""}: ${f.kind} ${f.masked}`);
                if (check.redacted)
                    details.push(`redacted copy: ${check.redacted.path} (${check.redacted.files} files, ${check.redacted.droppedLines} lines left blank)`);
                break;
        }
        const limit = check.name === "contamination" ? details.length : shown;
        for (const detail of details.slice(0, limit))
            lines.push(`      ${plain(detail)}`);
        if (details.length > limit)
            lines.push(`      … ${details.length - limit} more listed in --json`);
    }
    const { words, label } = result.distributions;
    if (words.count > 0)
        lines.push(`  words per case: min ${words.min}, p50 ${words.p50}, p90 ${words.p90}, max ${words.max}`);
    if (label && label.values.length > 0) {
        lines.push(`  labels (${plain(label.field)}): ${label.values
            .slice(0, 10)
            .map((v) => `${plain(v.value)} ${v.count}`)
            .join(", ")}${label.missing ? `, none ${label.missing}` : ""}`);
    }
    for (const reason of result.reasons)
        lines.push(`  ${plain(reason)}`);
    return lines.join("\n");
}

;// CONCATENATED MODULE: ../../packages/operate/src/check/index.ts











;// CONCATENATED MODULE: ../../packages/operate/src/drift/language.ts
/**
 * A small, dependency-free language identifier for the language-mix drift test. It is meant to
 * notice that production traffic now holds (much) more of some language than the reference did,
 * not to label single texts reliably. Exactly what it can tell, from the first 2,000 characters:
 *
 * 1. No letters at all (digits, emoji, punctuation, empty): `none`.
 * 2. The script most letters belong to decides, where a script essentially means one language:
 *    Hangul `ko`; Hiragana or Katakana (with or without Han) `ja`; Han alone `zh` (Chinese, or
 *    Japanese written in kanji only); Greek `el`; Hebrew `he`; Thai `th`; Georgian `ka`;
 *    Armenian `hy`. Scripts shared by many languages are named, not guessed: Arabic script
 *    `arabic` (Arabic, Persian, Urdu …), Devanagari `devanagari` (Hindi, Marathi, Nepali …).
 *    A letter of any other script makes `other`.
 * 3. Cyrillic: `uk` when it has one of і ї є ґ, `ru` when it has ы or э (and none of those),
 *    else `cyrillic`. Belarusian (і and ы) reads as `uk`; Bulgarian, Serbian, Macedonian (none of
 *    these letters) as `cyrillic`.
 * 4. Latin: the stopword profile with the most hits among English `en`, German `de`, French `fr`,
 *    Spanish `es`, Italian `it`, Portuguese `pt` and Dutch `nl`, when it has at least two hits and
 *    strictly more than any other profile; otherwise `latin` (too short, a tie, another language
 *    such as Polish or Turkish, or no stopwords: product names, code).
 */
const LANGUAGE_LABELS = (/* unused pure expression or super */ null && ([
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "latin",
    "ru",
    "uk",
    "cyrillic",
    "el",
    "he",
    "arabic",
    "devanagari",
    "th",
    "ka",
    "hy",
    "ko",
    "ja",
    "zh",
    "other",
    "none",
]));
const SCAN_CHARS = 2_000;
const STOPWORDS = {
    en: "the and of to is in that it was for with you this not are but have be on they he she my we at what from an or would i",
    de: "der die und das ist nicht ich es sie ein eine zu den mit auf dem sich auch für von war aber wir noch nach wie bei oder sehr kein",
    fr: "le la les et est un une des du pas que je il elle ce cette pour avec dans sur mais nous vous très qui au aux ne ça",
    es: "el la los las y es un una que de no en por con para muy pero lo se su del al como más está yo este esta fue mi",
    it: "il la le lo gli e è un una che di non per con sono ma molto questo questa del della mi ho anche come più nel alla si era",
    pt: "o a os as e é um uma que de não em por com para muito mas do da no na se seu sua foi eu este esta isso mais",
    nl: "de het een en is niet ik dat die van te zijn op met voor maar heel ook er was je we dit wel nog geen naar bij om hij",
};
const PROFILES = Object.entries(STOPWORDS).map(([label, words]) => ({ label: label, words: new Set(words.split(" ")) }));
const SCRIPTS = (/* unused pure expression or super */ null && ([
    ["latin", /\p{Script=Latin}/u],
    ["cyrillic", /\p{Script=Cyrillic}/u],
    ["greek", /\p{Script=Greek}/u],
    ["hebrew", /\p{Script=Hebrew}/u],
    ["arabic", /\p{Script=Arabic}/u],
    ["devanagari", /\p{Script=Devanagari}/u],
    ["thai", /\p{Script=Thai}/u],
    ["georgian", /\p{Script=Georgian}/u],
    ["armenian", /\p{Script=Armenian}/u],
    ["hangul", /\p{Script=Hangul}/u],
    ["kana", /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
    ["han", /\p{Script=Han}/u],
]));
const LETTER = /\p{L}/u;
const BY_SCRIPT = {
    greek: "el",
    hebrew: "he",
    arabic: "arabic",
    devanagari: "devanagari",
    thai: "th",
    georgian: "ka",
    armenian: "hy",
    hangul: "ko",
    kana: "ja",
    han: "zh",
    other: "other",
};
function scriptOf(char) {
    for (const [script, pattern] of SCRIPTS)
        if (pattern.test(char))
            return script;
    return "other";
}
/** The language (or script) label of one text; see the module comment for what each means. */
function language_identifyLanguage(text) {
    const head = text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text;
    const counts = new Map();
    for (const char of head) {
        if (!LETTER.test(char))
            continue;
        const script = scriptOf(char);
        counts.set(script, (counts.get(script) ?? 0) + 1);
    }
    if (counts.size === 0)
        return "none";
    // Japanese mixes kana with Han (often more Han than kana): any kana makes CJK text Japanese, when
    // CJK letters are at least as many as Latin ones (a Latin text quoting one katakana word stays Latin).
    if ((counts.get("kana") ?? 0) > 0 && (counts.get("kana") ?? 0) + (counts.get("han") ?? 0) >= (counts.get("latin") ?? 0))
        return "ja";
    let dominant = "other";
    let most = -1;
    for (const [script, n] of counts) {
        if (n > most) {
            dominant = script;
            most = n;
        }
    }
    if (dominant === "latin")
        return latinLanguage(head);
    if (dominant === "cyrillic") {
        const lower = head.toLowerCase();
        if (/[іїєґ]/u.test(lower))
            return "uk";
        if (/[ыэ]/u.test(lower))
            return "ru";
        return "cyrillic";
    }
    return BY_SCRIPT[dominant] ?? "other";
}
function latinLanguage(text) {
    const words = text.toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [];
    let best = "latin";
    let bestHits = 0;
    let runnerUp = 0;
    for (const { label, words: list } of PROFILES) {
        let hits = 0;
        for (const word of words)
            if (list.has(word))
                hits++;
        if (hits > bestHits) {
            runnerUp = bestHits;
            bestHits = hits;
            best = label;
        }
        else if (hits > runnerUp)
            runnerUp = hits;
    }
    return bestHits >= 2 && bestHits > runnerUp ? best : "latin";
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/tokenize.ts
/**
 * Words of a text, for vocabulary drift: NFKC-normalised and lower-cased runs of letters, marks
 * and digits; scripts written without spaces (Han, Hiragana, Katakana, Thai) give one token per
 * character, as a whitespace tokenizer would otherwise see a whole sentence as one word. Tokens
 * of digits only are left out (every new order number would be "out of vocabulary"). Text comes
 * from production and is hostile: only its first MAX_TOKENIZED_CHARS are read, and each token is
 * cut to MAX_TOKEN_CHARS.
 */
const MAX_TOKENIZED_CHARS = 20_000;
const MAX_TOKEN_CHARS = 48;
const UNSPACED = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}";
const TOKEN = new RegExp(`[${UNSPACED}]|(?:(?![${UNSPACED}])[\\p{L}\\p{M}\\p{N}])+`, "gu");
const DIGITS = /^\p{N}+$/u;
/** The tokens of `text`, in order. */
function tokenize_tokenize(text) {
    const head = text.length > MAX_TOKENIZED_CHARS ? text.slice(0, MAX_TOKENIZED_CHARS) : text;
    const out = [];
    for (const match of head.normalize("NFKC").toLowerCase().matchAll(TOKEN)) {
        const token = match[0];
        if (DIGITS.test(token))
            continue;
        out.push(token.length > MAX_TOKEN_CHARS ? token.slice(0, MAX_TOKEN_CHARS) : token);
    }
    return out;
}
/** Length in characters (Unicode code points, as Python's `len`), the text-length feature. */
function tokenize_characterLength(text) {
    let n = 0;
    for (const _ of text)
        n++;
    return n;
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/columns.ts



/**
 * The values of one feature, gathered record by record: numbers (or text lengths), category (or
 * language) counts, and token counts for text, split between even and odd records so that half
 * the reference can serve as the vocabulary and the other half says what OOV rate the same
 * distribution gives. Everything is bounded, whatever the records hold: categories past
 * MAX_CATEGORIES share one bucket, a vocabulary stops growing at MAX_VOCABULARY distinct tokens,
 * category values are cut to MAX_CATEGORY_CHARS without control characters.
 */
const MAX_CATEGORIES = 1_000;
const MAX_VOCABULARY = 200_000;
const MAX_CATEGORY_CHARS = 120;
const MISSING_CATEGORY = "(missing)";
const columns_OTHER_CATEGORY = "(other)";
const NOT_SCALAR = "(not a scalar)";
const SENTINELS = new Set([MISSING_CATEGORY, columns_OTHER_CATEGORY, NOT_SCALAR]);
const NUMERIC_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
function columns_newColumn(feature) {
    const tokens = () => ({ counts: new Map(), total: 0, capped: false });
    return { feature, numbers: [], missing: 0, categories: new Map(), overflow: 0, tokens: [tokens(), tokens()], seen: 0 };
}
/**
 * The value at a dotted path of a record, own properties only (a record's `__proto__` key is
 * data, never a way into the prototype); looked up in the record's `vars` object when the record
 * itself has no such field, so eval case files and flat production logs both work.
 */
function fieldValue(record, path) {
    const at = (root) => {
        let value = root;
        for (const part of path.split(".")) {
            if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part))
                return undefined;
            value = value[part];
        }
        return value;
    };
    const direct = at(record);
    if (direct !== undefined)
        return direct;
    return Object.hasOwn(record, "vars") ? at(record.vars) : undefined;
}
function columns_count(map, key) {
    map.set(key, (map.get(key) ?? 0) + 1);
}
function addCategory(column, key) {
    if (!column.categories.has(key) && column.categories.size >= MAX_CATEGORIES) {
        column.overflow++;
        columns_count(column.categories, columns_OTHER_CATEGORY);
        return;
    }
    columns_count(column.categories, key);
}
/**
 * A category as it is counted and shown. Production values reach the result, the job summary and
 * a (possibly public) alert issue, so personal data and secrets in them are redacted first, as
 * `llmops check` shows them (one line, placeholders like <EMAIL>); a value spelled like one of
 * the placeholders above is kept apart from them.
 */
function categoryOf(value) {
    if (value === undefined || value === null)
        return MISSING_CATEGORY;
    if (typeof value === "string") {
        const category = shown(value, MAX_CATEGORY_CHARS);
        return SENTINELS.has(category) ? `${category} (as written)` : category;
    }
    if (typeof value === "number" || typeof value === "boolean")
        return String(value);
    return NOT_SCALAR;
}
/** Adds one record's value of the column's feature. */
function columns_addRecord(column, record) {
    const value = fieldValue(record, column.feature.field);
    const parity = column.seen++ % 2;
    switch (column.feature.type) {
        case "numeric": {
            const number = typeof value === "number" ? value : typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value) : Number.NaN;
            if (Number.isFinite(number))
                column.numbers.push(number);
            else
                column.missing++;
            return;
        }
        case "categorical": {
            const category = categoryOf(value);
            if (category === MISSING_CATEGORY)
                column.missing++;
            addCategory(column, category);
            return;
        }
        case "text": {
            if (typeof value !== "string") {
                column.missing++;
                return;
            }
            column.numbers.push(characterLength(value));
            addCategory(column, identifyLanguage(value));
            const bucket = column.tokens[parity];
            for (const token of tokenize(value)) {
                bucket.total++;
                const n = bucket.counts.get(token);
                if (n !== undefined)
                    bucket.counts.set(token, n + 1);
                else if (bucket.counts.size < MAX_VOCABULARY)
                    bucket.counts.set(token, 1);
                else
                    bucket.capped = true;
            }
            return;
        }
    }
}
/** How many of the column's values count (numbers, categories other than missing, texts). */
function columns_valueCount(column) {
    if (column.feature.type === "categorical") {
        let n = 0;
        for (const [key, c] of column.categories)
            if (key !== MISSING_CATEGORY)
                n += c;
        return n;
    }
    return column.numbers.length;
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/psi.ts

/**
 * The Population Stability Index, PSI = Σ (s_i − r_i) · ln(s_i / r_i) over bins, r_i the
 * reference's share of a bin and s_i the sample's (Siddiqi, "Credit Risk Scorecards", 2006). An
 * empty bin's share counts as PSI_FLOOR, so one empty bin gives a large but finite term rather
 * than infinity (the shares are not renormalised). Numeric bins are cut at the reference's
 * quantiles: reference values split as evenly as their ties allow.
 */
/** The share an empty bin counts as. */
const PSI_FLOOR = 1e-4;
/** PSI of two share vectors over the same bins. */
function psiOfShares(reference, sample) {
    if (reference.length !== sample.length)
        throw new RangeError("psiOfShares: the share vectors differ in length");
    let psi = 0;
    for (let i = 0; i < reference.length; i++) {
        const r = Math.max(reference[i], PSI_FLOOR);
        const s = Math.max(sample[i], PSI_FLOOR);
        psi += (s - r) * Math.log(s / r);
    }
    return psi;
}
/**
 * The inner bin edges for `bins` bins: the reference's quantiles at k/bins, k = 1 … bins − 1
 * (linear interpolation, numpy's default), without repeats. Bin i holds the values v with
 * edge[i−1] ≤ v < edge[i]; the first and last bins are open-ended.
 */
function quantileEdges(sortedReference, bins) {
    const edges = [];
    for (let k = 1; k < bins; k++) {
        const edge = quantileSorted(sortedReference, k / bins);
        if (edges.length === 0 || edge > edges[edges.length - 1])
            edges.push(edge);
    }
    return edges;
}
/** Shares of `values` in the bins the edges cut (numpy's searchsorted, side right). */
function binShares(values, edges) {
    const counts = new Array(edges.length + 1).fill(0);
    for (let i = 0; i < values.length; i++) {
        const v = values[i];
        let low = 0;
        let high = edges.length;
        while (low < high) {
            const mid = (low + high) >>> 1;
            if (edges[mid] <= v)
                low = mid + 1;
            else
                high = mid;
        }
        counts[low]++;
    }
    return counts.map((c) => c / values.length);
}
/** PSI of numeric values, binned at the reference's quantiles. */
function psi_numericPsi(reference, sample, bins) {
    const sorted = Float64Array.from(reference).sort();
    const edges = quantileEdges(sorted, bins);
    const r = binShares(reference, edges);
    const s = binShares(sample, edges);
    return { psi: psiOfShares(r, s), edges, reference: r, sample: s };
}
/** PSI of category counts over the union of their categories. */
function psi_categoricalPsi(reference, sample) {
    const categories = [...new Set([...reference.keys(), ...sample.keys()])];
    const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
    const rn = total(reference);
    const sn = total(sample);
    return psiOfShares(categories.map((c) => (reference.get(c) ?? 0) / rn), categories.map((c) => (sample.get(c) ?? 0) / sn));
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/analyze.ts




/**
 * Judges one feature: the tests for its type (see driftFeatureSchema in @llmops/core), each
 * against its threshold. A distribution has drifted when the change is both significant (the
 * test's p-value below alpha) and material (its PSI at or above the psi threshold): with tens of
 * thousands of values a test finds any difference, however small, and with a few dozen a PSI is
 * noise. The vocabulary drifts when the sample's out-of-vocabulary rate exceeds the reference's
 * own (one half against the other) by the oov threshold.
 */
/** Categories a chi-square table keeps (by combined count); the rest are merged into one column. */
const MAX_TABLE_CATEGORIES = 50;
const LISTED_SHARES = 8;
const p = (value) => (value < 1e-4 ? value.toExponential(1) : formatNumber(value));
function distributionTests(of, reference, sample, bins, thresholds) {
    const psi = numericPsi(reference, sample, bins).psi;
    const ks = ksTwoSample(reference, sample);
    const tests = [
        { test: "psi", of, statistic: psi, threshold: thresholds.psi, exceeded: psi >= thresholds.psi },
        {
            test: "ks",
            of,
            statistic: ks.statistic,
            pValue: ks.pValue,
            method: ks.method,
            threshold: thresholds.alpha,
            exceeded: ks.pValue < thresholds.alpha,
        },
    ];
    const drifted = tests.every((t) => t.exceeded);
    return {
        tests,
        psi,
        ...(drifted
            ? {
                reason: `${of}: PSI ${formatNumber(psi)} ≥ ${formatNumber(thresholds.psi)}, KS D = ${formatNumber(ks.statistic)}, p = ${p(ks.pValue)} < ${formatNumber(thresholds.alpha)}`,
            }
            : {}),
    };
}
/** The top MAX_TABLE_CATEGORIES categories by combined count, the rest merged into OTHER_CATEGORY. */
function mergedCategories(reference, sample) {
    const combined = new Map();
    for (const m of [reference, sample])
        for (const [k, v] of m)
            combined.set(k, (combined.get(k) ?? 0) + v);
    const ranked = [...combined.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = new Set(ranked.slice(0, MAX_TABLE_CATEGORIES - 1).map(([k]) => k));
    if (ranked.length <= MAX_TABLE_CATEGORIES)
        for (const [k] of ranked)
            kept.add(k);
    const merge = (m) => {
        const out = new Map();
        for (const [k, v] of m) {
            const key = kept.has(k) ? k : OTHER_CATEGORY;
            out.set(key, (out.get(key) ?? 0) + v);
        }
        return out;
    };
    return { reference: merge(reference), sample: merge(sample), merged: Math.max(0, ranked.length - kept.size) };
}
function categoryTests(of, referenceCounts, sampleCounts, thresholds) {
    const { reference, sample, merged } = mergedCategories(referenceCounts, sampleCounts);
    const categories = [...new Set([...reference.keys(), ...sample.keys()])].sort();
    const table = [categories.map((c) => reference.get(c) ?? 0), categories.map((c) => sample.get(c) ?? 0)];
    const chi = chiSquareContingency(table);
    const psi = categoricalPsi(reference, sample);
    const tests = [
        { test: "psi", of, statistic: psi, threshold: thresholds.psi, exceeded: psi >= thresholds.psi },
        {
            test: "chi-square",
            of,
            statistic: chi.statistic,
            pValue: chi.pValue,
            dof: chi.dof,
            threshold: thresholds.alpha,
            exceeded: chi.pValue < thresholds.alpha,
        },
    ];
    const total = (row) => row.reduce((a, b) => a + b, 0);
    const [rn, sn] = [total(table[0]), total(table[1])];
    const shares = categories
        .map((value, i) => ({ value, reference: table[0][i] / rn, sample: table[1][i] / sn }))
        .sort((a, b) => Math.abs(b.sample - b.reference) - Math.abs(a.sample - a.reference) || (a.value < b.value ? -1 : 1))
        .slice(0, LISTED_SHARES);
    const drifted = tests.every((t) => t.exceeded);
    return {
        tests,
        psi,
        shares,
        merged,
        ...(drifted
            ? {
                reason: `${of}: PSI ${formatNumber(psi)} ≥ ${formatNumber(thresholds.psi)}, chi-square ${formatNumber(chi.statistic)} (${chi.dof} df), p = ${p(chi.pValue)} < ${formatNumber(thresholds.alpha)}`,
            }
            : {}),
    };
}
/** Share of `tokens` not in `vocabulary`. */
function oovRate(tokens, vocabulary) {
    let total = 0;
    let unseen = 0;
    for (const bucket of tokens) {
        total += bucket.total;
        for (const [token, n] of bucket.counts)
            if (!vocabulary.counts.has(token))
                unseen += n;
        // Tokens past a capped bucket's limit were counted but not kept: they are unknown, so unseen.
        let kept = 0;
        for (const n of bucket.counts.values())
            kept += n;
        unseen += bucket.total - kept;
    }
    return total === 0 ? 0 : unseen / total;
}
function vocabularyTest(reference, sample, thresholds) {
    const [vocabulary, heldOut] = reference.tokens;
    const expected = oovRate([heldOut], vocabulary);
    const rate = oovRate(sample.tokens, vocabulary);
    const limit = expected + thresholds.oov;
    const exceeded = rate >= limit && rate > expected;
    return {
        test: { test: "oov", of: "vocabulary", statistic: rate, expected, threshold: limit, exceeded },
        ...(exceeded
            ? {
                reason: `vocabulary: ${formatNumber(rate * 100)}% of the sample's words are out of vocabulary, the reference's own ${formatNumber(expected * 100)}% + ${formatNumber(thresholds.oov * 100)} points`,
            }
            : {}),
    };
}
/** The drift of one feature, from its reference and sample columns. */
function analyze_analyzeFeature(reference, sample, thresholds) {
    const feature = reference.feature;
    const counts = (column) => {
        const values = valueCount(column);
        // A categorical feature counts its missing values as a category ("(missing)"): a field that
        // vanished from production is drift, not too few values.
        return { values, missing: column.missing, judged: feature.type === "categorical" ? values + column.missing : values };
    };
    const r = counts(reference);
    const s = counts(sample);
    const result = {
        field: feature.field,
        type: feature.type,
        verdict: "ok",
        reasons: [],
        reference: { values: r.values, missing: r.missing },
        sample: { values: s.values, missing: s.missing },
        tests: [],
    };
    if (Math.min(r.judged, s.judged) < thresholds.minSamples) {
        result.verdict = "insufficient";
        result.notes = [`fewer than ${thresholds.minSamples} values on a side (reference ${r.judged}, sample ${s.judged}): not judged`];
        return result;
    }
    const notes = [];
    const reasons = [];
    if (feature.type === "numeric") {
        const values = distributionTests("value", reference.numbers, sample.numbers, feature.bins, thresholds);
        result.tests.push(...values.tests);
        result.psi = values.psi;
        if (values.reason)
            reasons.push(values.reason);
    }
    else if (feature.type === "categorical") {
        const categories = categoryTests("category", reference.categories, sample.categories, thresholds);
        result.tests.push(...categories.tests);
        result.psi = categories.psi;
        result.shares = categories.shares;
        if (categories.reason)
            reasons.push(categories.reason);
        if (categories.merged > 0)
            notes.push(`${categories.merged} rarer categories are compared as one, ${OTHER_CATEGORY}`);
    }
    else {
        const lengths = distributionTests("length", reference.numbers, sample.numbers, feature.bins, thresholds);
        const vocabulary = vocabularyTest(reference, sample, thresholds);
        const languages = categoryTests("language", reference.categories, sample.categories, thresholds);
        result.tests.push(...lengths.tests, vocabulary.test, ...languages.tests);
        result.psi = lengths.psi;
        result.shares = languages.shares;
        for (const reason of [lengths.reason, vocabulary.reason, languages.reason])
            if (reason)
                reasons.push(reason);
        if ([...reference.tokens, ...sample.tokens].some((t) => t.capped))
            notes.push("a vocabulary reached its cap of distinct words; words past it count as out of vocabulary");
    }
    for (const column of [reference, sample]) {
        if (column.overflow > 0)
            notes.push(`more than ${column.categories.size - 1} distinct values in the ${column === reference ? "reference" : "sample"}; the rest counted as ${OTHER_CATEGORY}`);
    }
    result.reasons = reasons;
    result.verdict = reasons.length > 0 ? "drift" : "ok";
    if (notes.length > 0)
        result.notes = notes;
    return result;
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/records.ts



/**
 * Reads the records of a sample or reference file, one object at a time, so drift keeps only the
 * values of its features, never the records. The file comes from production and is hostile:
 * JSONL lines over MAX_RECORD_LINE_BYTES, lines that are not JSON objects and rows that are not
 * objects are skipped and counted (with the first few line numbers), never fatal; JSON and CSV are
 * parsed whole, so they may not exceed MAX_WHOLE_FILE_BYTES. Only the first `maxRecords` records
 * are read; the JSONL lines after them are counted.
 */
const RECORD_FORMATS = (/* unused pure expression or super */ null && (["jsonl", "json", "csv"]));
const MAX_RECORD_LINE_BYTES = (/* unused pure expression or super */ null && (1024 * 1024));
const MAX_WHOLE_FILE_BYTES = (/* unused pure expression or super */ null && (256 * 1024 * 1024));
/** How many skipped line numbers a result lists. */
const LISTED_SKIPS = 5;
/** The format a file name implies, if any. */
function records_recordFormat(file) {
    const lower = file.toLowerCase();
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson"))
        return "jsonl";
    if (lower.endsWith(".json"))
        return "json";
    if (lower.endsWith(".csv"))
        return "csv";
    return undefined;
}
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** Reads `path` (shown as `display` in errors), calling `onRecord` for each record object. */
async function records_readRecords(path, options, onRecord) {
    const format = options.format ?? records_recordFormat(path);
    if (!format)
        throw new InputError(`${options.display}: expected a .jsonl, .json or .csv file (or set format)`);
    let info;
    try {
        info = await stat(path);
    }
    catch (error) {
        const code = error.code;
        throw new InputError(`${options.display}: ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`);
    }
    if (!info.isFile())
        throw new InputError(`${options.display}: is not a file`);
    const stats = { records: 0, skipped: 0, skippedAt: [], truncated: false, unread: 0 };
    const skip = (at) => {
        stats.skipped++;
        if (stats.skippedAt.length < LISTED_SKIPS)
            stats.skippedAt.push(at);
    };
    const take = (value, at) => {
        if (stats.records >= options.maxRecords) {
            stats.truncated = true;
            stats.unread++;
            return;
        }
        if (!isObject(value))
            return skip(at);
        stats.records++;
        onRecord(value);
    };
    if (format === "jsonl") {
        const splitter = new LineSplitter((text, line) => {
            if (text.trim() === "")
                return;
            if (stats.records >= options.maxRecords)
                return take(undefined, line);
            let value;
            try {
                value = JSON.parse(text);
            }
            catch {
                return skip(line);
            }
            take(value, line);
        }, { maxLineBytes: MAX_RECORD_LINE_BYTES, onTooLong: skip });
        await readChunks(path, options.display, (chunk) => splitter.push(chunk));
        splitter.end();
        return stats;
    }
    if (info.size > MAX_WHOLE_FILE_BYTES) {
        throw new InputError(`${options.display}: ${format.toUpperCase()} files are read whole, and this one is over 256 MiB; use JSONL`);
    }
    const text = await readWhole(path, options.display);
    if (format === "csv") {
        // The case loader's CSV reader: a header row; each row becomes { vars: { column: value } }.
        for (const [i, row] of parseCaseFile(text, "csv", options.display).entries())
            take(row.value, row.locate([]).line || i + 2);
        return stats;
    }
    let parsed;
    try {
        parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    }
    catch (error) {
        throw new InputError(`${options.display}: not JSON (${error.message.split("\n")[0]})`);
    }
    const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.cases) ? parsed.cases : undefined;
    if (!list)
        throw new InputError(`${options.display}: expected a JSON array of records (or {"cases": [...]})`);
    for (const [i, value] of list.entries())
        take(value, i);
    return stats;
}
async function readChunks(path, display, push) {
    let handle;
    try {
        handle = await open(path, "r");
    }
    catch (error) {
        throw new InputError(`${display}: cannot be read (${error.code})`);
    }
    try {
        const buffer = Buffer.allocUnsafe(256 * 1024);
        for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0)
                return;
            push(buffer.subarray(0, bytesRead));
        }
    }
    finally {
        await handle.close();
    }
}
async function readWhole(path, display) {
    const chunks = [];
    await readChunks(path, display, (chunk) => chunks.push(Buffer.from(chunk)));
    return Buffer.concat(chunks).toString("utf8");
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/drift.ts



async function collect(source, features, maxRecords) {
    const columns = features.map(newColumn);
    const stats = await readRecords(source.path, { format: source.format, maxRecords, display: source.display }, (record) => {
        for (const column of columns)
            addRecord(column, record);
    });
    const described = {
        source: source.display,
        ...(source.digest ? { digest: source.digest } : {}),
        records: stats.records,
        skipped: stats.skipped,
        skippedAt: stats.skippedAt,
        truncated: stats.truncated,
    };
    return { columns, described };
}
/** Compares the sample with the reference on every feature. */
async function drift_analyzeDrift(options) {
    const reference = await collect(options.reference, options.features, options.maxRecords);
    const sample = await collect(options.sample, options.features, options.maxRecords);
    const features = options.features.map((_, i) => analyzeFeature(reference.columns[i], sample.columns[i], options.thresholds));
    // One feature that could not be judged makes the whole inconclusive unless another drifted:
    // "ok" closes an open alert, and the feature that raised it may be the one without values now.
    const verdict = features.some((f) => f.verdict === "drift")
        ? "drift"
        : features.some((f) => f.verdict === "insufficient")
            ? "insufficient"
            : "ok";
    return { verdict, sample: sample.described, reference: reference.described, features };
}

;// CONCATENATED MODULE: ../../packages/operate/src/drift/result.ts


/**
 * What a drift analysis reports, per feature: every test that ran with its statistic (PSI, the
 * KS distance, Pearson's X², an OOV rate), p-value and threshold, and the verdict those give.
 * Part of the monitor's `--json` document and the action's `result` output.
 */
const DRIFT_TESTS = ["psi", "ks", "chi-square", "oov"];
/** What a test compared: the values, text lengths, the language mix, the vocabulary, the categories. */
const DRIFT_ASPECTS = ["value", "length", "language", "vocabulary", "category"];
const driftTestSchema = schemas.strictObject({
    test: schemas["enum"](DRIFT_TESTS),
    of: schemas["enum"](DRIFT_ASPECTS),
    /** PSI; the KS distance D; Pearson's X²; the sample's out-of-vocabulary rate. */
    statistic: schemas.number(),
    /** KS and chi-square. */
    pValue: schemas.number().min(0).max(1).optional(),
    /** KS: how the p-value was computed (scipy's ks_2samp "auto": exact up to 10,000 values a side). */
    method: schemas["enum"](["exact", "asymptotic"]).optional(),
    /** Chi-square: degrees of freedom. */
    dof: schemas.number().int().nonnegative().optional(),
    /** OOV: the rate the reference's own held-out half has (what the same distribution gives). */
    expected: schemas.number().optional(),
    /** PSI and OOV: the limit (psi, or expected + oov); KS and chi-square: alpha. */
    threshold: schemas.number(),
    /** Past its threshold: PSI or OOV at or above, a p-value below alpha. */
    exceeded: schemas.boolean(),
});
/** One category's (or language's) share on each side, for the report. */
const shareSchema = schemas.strictObject({ value: schemas.string(), reference: schemas.number(), sample: schemas.number() });
const featureDriftSchema = schemas.strictObject({
    field: schemas.string(),
    type: schemas["enum"](src/* DRIFT_FEATURE_TYPES */.Xep),
    /** `insufficient`: fewer than `minSamples` values on a side, so nothing was judged. */
    verdict: schemas["enum"](["ok", "drift", "insufficient"]),
    /** One line per drifted aspect, e.g. `value: PSI 0.41 ≥ 0.2 and KS p = 2e-9 < 0.01`. */
    reasons: schemas.array(schemas.string()),
    reference: schemas.strictObject({ values: schemas.number().int().nonnegative(), missing: schemas.number().int().nonnegative() }),
    sample: schemas.strictObject({ values: schemas.number().int().nonnegative(), missing: schemas.number().int().nonnegative() }),
    /** The headline PSI (of the values, categories, or text lengths), for charts and metrics. */
    psi: schemas.number().optional(),
    tests: schemas.array(driftTestSchema),
    /** The categories or languages whose share moved most, largest change first (at most 8). */
    shares: schemas.array(shareSchema).optional(),
    /** Something limited the analysis (too many categories, a vocabulary over its cap). */
    notes: schemas.array(schemas.string()).optional(),
});
const dataSourceSchema = schemas.strictObject({
    /** `samples/prod.jsonl`, or `acme/traffic@sha256:…/inputs.jsonl`. */
    source: schemas.string(),
    /** The dataset version's digest, when it came from the store. */
    digest: schemas.string().optional(),
    records: schemas.number().int().nonnegative(),
    skipped: schemas.number().int().nonnegative(),
    skippedAt: schemas.array(schemas.number().int()),
    truncated: schemas.boolean(),
});
const driftResultSchema = schemas.strictObject({
    /** `drift`: some feature drifted; `insufficient`: none did, but some could not be judged; `ok`: every one judged and fine. */
    verdict: schemas["enum"](["ok", "drift", "insufficient"]),
    sample: dataSourceSchema,
    reference: dataSourceSchema,
    features: schemas.array(featureDriftSchema),
});

;// CONCATENATED MODULE: ../../packages/operate/src/drift/index.ts
// Data drift: the statistics (PSI, and from @llmops/eval's stats the two-sample KS and chi-square
// tests), the language identifier, and the analysis of a production sample against a reference.









;// CONCATENATED MODULE: ../../packages/operate/src/feedback/errors.ts

/** Every event of a feedback file was bad: nothing to ingest, and most likely the wrong file or format (exit 2). */
class errors_FeedbackRejectedError extends (/* unused pure expression or super */ null && (InputError)) {
}
/**
 * `latest` of the dataset moved while the ingest ran (another ingest or a `tag` won the
 * compare-and-swap). The new version exists, built on the version `latest` named when the ingest
 * began, but `latest` was left where the other writer put it, so no one's cases are lost from it.
 * Exit 3: the store changed under the ingest; running it again builds on the new `latest`.
 */
class errors_DatasetMovedError extends src/* LlmopsError */.WHU {
    version;
    found;
    constructor(message, version, found) {
        super(message, src/* ExitCode */.yUi.External);
        this.version = version;
        this.found = found;
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/event.ts


/**
 * One feedback event: one line of a feedback file (JSONL). This is the only shape accepted; a
 * line that does not match is a bad event named by its line number and the field at fault.
 *
 * Every byte of it comes from production users (and from whatever logged them), so every field
 * is bounded and patterned: ids and tag keys are short and plain, the model is a digest-pinned
 * ref, vars are flat scalars, and object keys that mean something to JavaScript are refused
 * (refusedKey) rather than silently dropped as zod's records would.
 */
/** `req-123`, `chatcmpl-9x…`, UUIDs: the id of the request that produced the output. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A var name a prompt template can name (`{{question}}`). */
const VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A tag key (a slice dimension). */
const TAG_KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** The var a plain-string `input` becomes. */
const event_INPUT_VAR = "input";
/** Tag keys the ingest sets itself; an event may not set them. */
const RESERVED_TAG_KEYS = ["rating"];
const RATINGS = ["good", "bad", "neutral"];
const MAX_VARS = 64;
const MAX_TAGS = 32;
const MAX_TAG_VALUE_CHARS = 256;
/** A name is at most 255 characters (artifactNameSchema), a digest 71. */
const MAX_MODEL_REF_CHARS = 255 + 1 + 71;
const scalarSchema = schemas.union([schemas.string(), schemas.number(), schemas.boolean()], { error: "expected a string, number or boolean" });
/** `acme/chat@sha256:<64 hex>`: the model version that produced the output. */
const modelRefSchema = schemas.string()
    .max(MAX_MODEL_REF_CHARS, "expected name@sha256:<64 hex> (too long)")
    .refine(isModelRef, "expected name@sha256:<64 hex>, the model version that produced the output");
const feedbackEventSchema = schemas.strictObject({
    requestId: schemas.string().regex(REQUEST_ID_PATTERN, "expected 1-128 characters: letters, digits, . _ : - (not starting with a sign)"),
    /** A string (becomes the var `input`) or the vars themselves, flat: `{question: "…", lang: "de"}`. */
    input: schemas.union([
        schemas.string().min(1),
        schemas.record(schemas.string().regex(VAR_NAME_PATTERN, "expected var names like question or user_text"), scalarSchema)
            .refine((vars) => Object.keys(vars).length > 0, "expected at least one var")
            .refine((vars) => Object.keys(vars).length <= MAX_VARS, `expected at most ${MAX_VARS} vars`),
    ], { error: "expected a non-empty string or an object of vars (string, number or boolean values)" }),
    output: schemas.string({ error: "expected the model's output (a string)" }),
    model: modelRefSchema,
    rating: schemas["enum"](RATINGS, { error: `expected one of ${RATINGS.join(", ")}` }).optional(),
    correction: schemas.string({ error: "expected a string (becomes the case's expected value)" }).optional(),
    tags: schemas.record(schemas.string().regex(TAG_KEY_PATTERN, "expected tag keys of letters, digits, _ . - (at most 64)"), schemas.union([schemas.string().max(MAX_TAG_VALUE_CHARS), schemas.number(), schemas.boolean()], {
        error: `expected a string of at most ${MAX_TAG_VALUE_CHARS} characters, a number or a boolean`,
    }))
        .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `expected at most ${MAX_TAGS} tags`)
        .refine((tags) => !RESERVED_TAG_KEYS.some((k) => Object.hasOwn(tags, k)), "expected no rating tag (the ingest sets it from rating)")
        .optional(),
    /** The user agreed that this exchange may be used; `false` is always honoured, absence only with --require-consent. */
    consent: schemas.boolean({ error: "expected true or false" }).optional(),
    timestamp: iso.datetime({ offset: true, error: "expected an ISO 8601 date-time" }).optional(),
})
    .refine((event) => event.rating !== undefined || event.correction !== undefined, {
    message: "expected rating or correction (an event without either carries no feedback)",
    path: ["rating"],
});
function isModelRef(ref) {
    const at = ref.indexOf("@");
    if (at <= 0 || at > 255)
        return false;
    return src/* OCI_REPOSITORY_PATTERN */.GBU.test(ref.slice(0, at)) && /^sha256:[a-f0-9]{64}$/.test(ref.slice(at + 1));
}
/** Why an event was not ingested; the keys of `counts.bad.byReason`. */
const BAD_REASONS = [
    "too-long",
    "invalid-json",
    "not-an-object",
    "missing-field",
    "invalid-field",
    "unknown-field",
    "no-consent",
    "unknown-model",
    "model-limit",
];
const badReasonSchema = schemas["enum"](BAD_REASONS);
/**
 * Keys JavaScript gives meaning to. JSON.parse makes them plain own keys, but copying them into
 * an object by assignment would set a prototype, and zod's records drop them without a word.
 */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Parses and validates one non-blank line. Never throws, never echoes user text in a message. */
function event_parseFeedbackLine(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return { ok: false, reason: "invalid-json", message: "expected one JSON object per line" };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { ok: false, reason: "not-an-object", message: "expected a JSON object (a feedback event)" };
    }
    const refused = refusedKey(value);
    if (refused)
        return { ok: false, reason: "invalid-field", message: `${refused}: expected no key named __proto__, constructor or prototype` };
    const parsed = feedbackEventSchema.safeParse(value);
    if (parsed.success)
        return { ok: true, event: parsed.data };
    return describeIssue(parsed.error.issues[0], value);
}
/** Where a refused key is, at the only depths the schema has objects: the event, `input`, `tags`. */
function refusedKey(event) {
    for (const key of Object.keys(event))
        if (REFUSED_KEYS.has(key))
            return "a field";
    for (const field of ["input", "tags"]) {
        const inner = Object.hasOwn(event, field) ? event[field] : undefined;
        if (inner === null || typeof inner !== "object" || Array.isArray(inner))
            continue;
        for (const key of Object.keys(inner))
            if (REFUSED_KEYS.has(key))
                return field;
    }
    return undefined;
}
/** A key as it may appear in a message: only plain, short names are shown, never user text. */
function shownKey(key) {
    return typeof key === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : "(a key not shown)";
}
function describeIssue(issue, event) {
    const path = issue.path.map(shownKey).join(".");
    if (issue.code === "unrecognized_keys") {
        const key = shownKey(issue.keys[0] ?? "");
        return {
            ok: false,
            reason: "unknown-field",
            message: `${path ? `${path}.` : ""}${key}: unknown field (an event has requestId, input, output, model, rating, correction, tags, consent, timestamp)`,
        };
    }
    const top = issue.path[0];
    const missing = issue.path.length === 1 && typeof top === "string" && !Object.hasOwn(event, top);
    // The rating-or-correction rule names rating, which is then absent too: it is a missing field.
    return {
        ok: false,
        reason: missing ? "missing-field" : "invalid-field",
        message: `${path || "event"}: ${missing ? "missing; " : ""}${issue.message}`,
    };
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/version-metadata.ts

/**
 * True when `info` (Store.metadata: the manifest's artifact type and the version's metadata, both
 * digest-verified) is a version of `kind` named `name`: feedback ingest refuses a model ref that
 * names a dataset, and a dataset name that holds models.
 */
function version_metadata_isVersionOf(info, name, kind) {
    const type = kind === "model" ? MODEL_ARTIFACT_TYPE : DATASET_ARTIFACT_TYPE;
    return info.artifactType === type && info.metadata.kind === kind && info.metadata.name === name;
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/models.ts


/**
 * Looks up the model versions feedback events name, once per distinct ref, and keeps the known
 * ones as lineage parents. A ref is known when the store holds a model version of that name with
 * that digest (manifest and metadata verified): the digest alone is not enough, since a layout
 * finds a digest under any name, and a forged event could name a dataset.
 *
 * Events are forgeable, so the refs are too: at most `maxModels` distinct refs are looked up (a
 * registry answers each with a request or two); events naming more are `over-limit`, and the
 * parents list stays as short as the number of models that really served.
 */
class models_ModelLookup {
    #store;
    #maxModels;
    #status = new Map();
    #unknown = [];
    constructor(store, options) {
        this.#store = store;
        this.#maxModels = options.maxModels;
    }
    /** Cached, so only the first event naming a ref waits for the store. */
    status(ref) {
        const cached = this.#status.get(ref);
        if (cached)
            return cached;
        if (this.#status.size >= this.#maxModels)
            return "over-limit";
        return this.#lookUp(ref);
    }
    async #lookUp(ref) {
        const at = ref.indexOf("@");
        const name = ref.slice(0, at);
        let status;
        try {
            const info = await this.#store.metadata(name, ref.slice(at + 1));
            status = info && isVersionOf(info, name, "model") ? "known" : "unknown";
        }
        catch (error) {
            if (!deniedOrMissing(error))
                throw error;
            status = "unknown";
        }
        // Another event may have asked while this one waited: the first answer stands.
        const settled = this.#status.get(ref);
        if (settled)
            return settled;
        this.#status.set(ref, status);
        if (status === "unknown")
            this.#unknown.push(ref);
        return status;
    }
    /** Known refs, sorted (a stable parents list: same models, same metadata). */
    known() {
        return [...this.#status]
            .filter(([, s]) => s === "known")
            .map(([ref]) => ref)
            .sort();
    }
    /** Unknown refs in the order first met; at most `limit`. */
    unknown(limit) {
        return this.#unknown.slice(0, limit);
    }
    get unknownCount() {
        return this.#unknown.length;
    }
}
/**
 * A registry refusing a repository the credentials cannot read (401, 403) or does not have (404)
 * says the model is not one of ours, not that the store is down; anything else (5xx after
 * retries, a refused token endpoint, a tampered store) stops the ingest.
 */
function deniedOrMissing(error) {
    const status = error.status;
    return error instanceof ExternalError && (status === 401 || status === 403 || status === 404);
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/result.ts



/**
 * What `llmops feedback ingest --json` prints (and an action's outputs would mirror). Changing a
 * field changes the machine interface.
 */
const result_count = schemas.number().int().nonnegative();
const badLineSchema = schemas.strictObject({
    /** 1-based line number in the feedback file (blank lines counted). */
    line: schemas.number().int().positive(),
    reason: badReasonSchema,
    /** Names the field and what was expected; never quotes the event's own text. */
    message: schemas.string(),
});
const versionRefSchema = schemas.strictObject({
    /** `name:vN`. */
    ref: schemas.string(),
    digest: src/* digestSchema */.erv,
});
const result_feedbackIngestResultSchema = schemas.strictObject({
    schemaVersion: schemas.literal(1),
    dataset: src/* artifactNameSchema */.DsS,
    /** The cases file inside the dataset version. */
    file: schemas.string(),
    /** The version written (and now `latest`); null when no event added a case (nothing written). */
    version: versionRefSchema.nullable(),
    /** What `latest` was before: the version the new one extends; null for a dataset's first version. */
    previous: versionRefSchema.nullable(),
    /** Lineage of the new version: the previous version, then the model versions that produced the outputs (empty when nothing was written). */
    parents: schemas.array(schemas.strictObject({ ref: schemas.string(), digest: src/* digestSchema */.erv })),
    counts: schemas.strictObject({
        /** Non-blank lines of the feedback file: each one an event, good or bad. */
        read: result_count,
        /** New cases in the version. */
        added: result_count,
        /** Cases carried over from the previous version. */
        carried: result_count,
        /** Good events not added: their request id, or their normalized input and expected value, was already there. */
        duplicates: schemas.strictObject({ total: result_count, requestId: result_count, content: result_count }),
        bad: schemas.strictObject({ total: result_count, byReason: schemas.partialRecord(badReasonSchema, result_count) }),
        /** Personal data replaced, by kind (email, phone, …); zero when `redacted` is false. */
        redactions: schemas.strictObject({ total: result_count, byKind: schemas.record(schemas.string(), result_count) }),
        /** Events from which control characters, invisible characters or lone surrogates were removed. */
        sanitized: result_count,
    }),
    /** The first bad lines (at most `maxBadLines`), in file order. */
    badLines: schemas.array(badLineSchema),
    /** Model refs events named that are not model versions in the store: how many, and the first few. */
    unknownModels: schemas.strictObject({ total: result_count, first: schemas.array(schemas.string()) }),
    redacted: schemas.boolean(),
    requireConsent: schemas.boolean(),
});

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/text.ts


/**
 * C0 and C1 control characters other than tab, line feed and carriage return, DEL, and the
 * invisible zero-width space, word joiner and byte-order mark. Feedback text ends up in terminals,
 * Markdown comments and HTML reports; an escape sequence or a NUL in an eval case helps no one and
 * can rewrite what a reviewer sees, and an invisible character inside an email address hides it
 * from the PII redaction that runs next. (Zero-width joiners stay: emoji and several scripts need them.)
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u2060\ufeff]/g;
/**
 * Text as it is stored in a case: lone surrogates (which JSON's `\ud800` escapes can smuggle in,
 * and UTF-8 cannot carry) become U+FFFD, and control and invisible characters are removed. `changed` says
 * whether anything was.
 */
function text_cleanText(text) {
    const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
    const cleaned = wellFormed.replace(CONTROL_CHARACTERS, "");
    return { text: cleaned, changed: cleaned !== text };
}
/**
 * Text as compared for duplicates: compatibility forms folded (NFKC: full-width letters, ligatures),
 * lower case, runs of white space as one space, trimmed. "Hello  World" and "hello world" are the
 * same question asked twice.
 */
function normalizeText(text) {
    return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}
/** A value with every string in it normalized (normalizeText); depth is bounded by the caller's data. */
function normalizeValue(value) {
    if (typeof value === "string")
        return normalizeText(value);
    if (value === null || typeof value !== "object")
        return value;
    if (Array.isArray(value))
        return value.map(normalizeValue);
    const out = {};
    for (const key of Object.keys(value)) {
        // defineProperty, not assignment: a `__proto__` key stays a key and never becomes a prototype.
        Object.defineProperty(out, key, {
            value: normalizeValue(value[key]),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
    return out;
}
/**
 * The first 64 bits of SHA-256 over a domain-separated text. SHA-256 rather than a fast
 * non-cryptographic hash because the inputs are chosen by strangers: with 64 bits a forged
 * collision with someone else's event would take a second preimage (~2^64 work), so one user
 * cannot get another's feedback dropped as a duplicate.
 */
function key64(domain, text) {
    const digest = hash("sha256", `${domain}\u0000${text}`, "buffer");
    return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}
/** The duplicate key of a case id (`fb:<requestId>`, or any id of an earlier case). */
function text_idKey(id) {
    return key64("id", id);
}
/**
 * The duplicate key of a case's content: its vars and expected value, every string normalized.
 * Values nested deeper than the stack allows (only possible in a hand-made earlier version) fall
 * back to `fallback`, the row's own text, so such a row is still deduplicated exactly.
 */
function text_contentKey(vars, expected, fallback) {
    let text;
    try {
        text = canonicalJson({ v: normalizeValue(vars), e: expected === undefined ? null : normalizeValue(expected) });
    }
    catch (error) {
        if (!(error instanceof RangeError))
            throw error;
        text = `raw:${fallback}`;
    }
    return key64("content", text);
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/to-case.ts




/** Every kind the project's PII detector knows: emails, phones, cards, IBANs, IP addresses, secrets. */
const to_case_ALL_KINDS = new Set(Object.keys(PII_PLACEHOLDER));
/**
 * The one PII detector of the project (dataset checks own it, check/pii); feedback ingest only
 * applies it, with every kind, replacing each find by its typed placeholder (`<EMAIL>`).
 */
const to_case_defaultRedactor = (text) => {
    const found = findPii(text, to_case_ALL_KINDS);
    return { text: found.length === 0 ? text : redactPii(text, to_case_ALL_KINDS, found), found };
};
/** The id prefix of feedback cases: they never collide with hand-written ids such as `greeting`. */
const to_case_FEEDBACK_ID_PREFIX = "fb:";
/**
 * The case for an event: `id` from the request id, `vars` from the input, `expected` from the
 * correction, `tags` from the rating and the event's tags, and the model, output and time as
 * metadata. Every text is cleaned (cleanText) and, with a redactor, has personal data replaced,
 * before it is stored or compared: two events that differ only in an email address are one case.
 * A request id in which the redactor finds personal data cannot be redacted (it would stop being
 * an id), nor hashed (a card or phone number has too few digits to hide behind a hash), so the
 * case is named by its redacted content instead (`fb:c-` and eval's caseId of vars and expected).
 */
function to_case_eventToCase(event, redact, stats) {
    let sanitized = false;
    const text = (value) => {
        const cleaned = cleanText(value);
        if (cleaned.changed)
            sanitized = true;
        if (!redact)
            return cleaned.text;
        const redacted = redact(cleaned.text);
        to_case_count(stats.redactions, redacted.found);
        return redacted.text;
    };
    const idFound = redact ? redact(event.requestId).found : [];
    to_case_count(stats.redactions, idFound);
    const vars = typeof event.input === "string"
        ? { [INPUT_VAR]: text(event.input) }
        : Object.fromEntries(Object.entries(event.input).map(([key, value]) => [key, typeof value === "string" ? text(value) : value]));
    const tags = Object.fromEntries([
        ...(event.rating !== undefined ? [["rating", event.rating]] : []),
        ...Object.entries(event.tags ?? {}).map(([key, value]) => [key, typeof value === "string" ? text(value) : String(value)]),
    ]);
    const metadata = { source: "feedback", model: event.model, output: text(event.output) };
    if (event.timestamp !== undefined)
        metadata.timestamp = event.timestamp;
    const expected = event.correction !== undefined ? text(event.correction) : undefined;
    if (sanitized)
        stats.sanitized++;
    const id = idFound.length === 0 ? `${to_case_FEEDBACK_ID_PREFIX}${event.requestId}` : `${to_case_FEEDBACK_ID_PREFIX}c-${caseId(vars, expected)}`;
    // Key order as a hand-written case: id, vars, expected, tags, metadata.
    return expected === undefined ? { id, vars, tags, metadata } : { id, vars, expected, tags, metadata };
}
function to_case_count(redactions, found) {
    for (const { kind } of found)
        redactions.set(kind, (redactions.get(kind) ?? 0) + 1);
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/ingest.ts














const DEFAULT_CASES_FILE = "cases.jsonl";
const DEFAULT_MAX_LINE_BYTES = (/* unused pure expression or super */ null && (1024 * 1024));
const DEFAULT_MAX_BAD_LINES = 20;
const DEFAULT_MAX_MODELS = 256;
/** A relative POSIX path of plain segments (none hidden, none `..`), ending in .jsonl. */
const CASES_FILE_PATTERN = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.jsonl$/;
/** Output is handed to the file in pieces of about this size: few writes, little held. */
const WRITE_BATCH_CHARS = (/* unused pure expression or super */ null && (64 * 1024));
const ingest_READ_CHUNK_BYTES = (/* unused pure expression or super */ null && (64 * 1024));
/**
 * `llmops feedback ingest`: feedback events (JSONL, event.ts) become cases in a new version of
 * `dataset`, on top of the cases its `latest` holds, and `latest` moves to it (compare-and-swap).
 *
 * Streams: events are read a chunk at a time and each new case is written to a temp file as it
 * comes; duplicates are found with a set of 64-bit hashes (request id, normalized input and
 * expected value), so memory grows by 8-16 bytes per case and nothing else. Bad events are
 * counted by reason and listed (the first few) with their line numbers; they never stop the
 * ingest, but a file of nothing but bad events is refused (FeedbackRejectedError). When no event
 * adds a case nothing is written and `version` is null.
 */
async function ingestFeedback(options) {
    const { store, logger } = options;
    const dataset = options.dataset;
    if (!artifactNameSchema.safeParse(dataset).success) {
        throw new InputError(`dataset "${dataset}": expected an artifact name (lowercase letters, digits, . _ - / separators)`);
    }
    const file = options.file ?? DEFAULT_CASES_FILE;
    if (file.length > 255 || !CASES_FILE_PATTERN.test(file)) {
        throw new InputError(`cases file "${file}": expected a relative path ending in .jsonl (letters, digits, . _ - and /, no hidden or .. segments)`);
    }
    const redact = options.redact ?? true;
    const requireConsent = options.requireConsent ?? false;
    const eventsName = options.eventsName ?? (typeof options.events === "string" ? options.events : "stdin");
    const { base, latest } = await previousVersion(store, dataset);
    // Opened before anything is staged, so a wrong path fails first and leaves nothing behind.
    const source = typeof options.events === "string" ? await openEvents(options.events, eventsName) : undefined;
    let stage;
    try {
        stage = await mkdtemp(join(options.tmpDir ?? tmpdir(), "llmops-feedback-"));
        const tree = join(stage, "version");
        let previous = null;
        if (base) {
            const materialized = await store.materialize(`${dataset}@${base}`, tree, options.signal ? { signal: options.signal } : {});
            previous = { ref: materialized.version ? `${dataset}:${materialized.version}` : `${dataset}@${base}`, digest: base };
        }
        else
            await mkdir(tree);
        const target = join(tree, ...file.split("/"));
        const hasPrevious = await existingFile(target, `${previous?.ref ?? dataset}: ${file}`);
        const writer = await AtomicFileWriter.open(target);
        const run = new IngestRun(writer, {
            store,
            redactor: redact ? defaultRedactor : undefined,
            requireConsent,
            maxBadLines: options.maxBadLines ?? DEFAULT_MAX_BAD_LINES,
            maxModels: options.maxModels ?? DEFAULT_MAX_MODELS,
        });
        try {
            if (hasPrevious)
                await run.carry(target, `${previous.ref}/${file}`, options.signal);
            const events = source ? chunksOf(source, eventsName) : options.events;
            await run.ingest(events, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, options.signal);
            if (run.read > 0 && run.bad === run.read)
                throw new FeedbackRejectedError(run.rejection(eventsName));
            if (run.added === 0)
                await writer.abort();
            else
                await run.finish();
        }
        catch (error) {
            await writer.abort();
            throw error;
        }
        const common = { dataset, file, previous, redacted: redact, requireConsent };
        if (run.added === 0) {
            logger.info(run.read === 0
                ? `feedback ${eventsName}: no events; ${dataset} unchanged`
                : `feedback ${eventsName}: no new cases (${run.duplicates.total} duplicates, ${run.bad} bad); ${dataset} unchanged`);
            return run.result({ ...common, version: null, parents: [] });
        }
        // The last point where stopping leaves the store as it was.
        options.signal?.throwIfAborted();
        const modelParents = run.modelParents();
        const version = await store.version({
            path: tree,
            name: dataset,
            kind: "dataset",
            parents: [...(base ? [`${dataset}@${base}`] : []), ...modelParents],
            params: {
                feedback: {
                    events: typeof options.events === "string" ? basename(options.events) : eventsName,
                    added: run.added,
                    redacted: redact,
                    requireConsent,
                },
            },
            ...(options.created ? { created: options.created } : {}),
            ...(options.git ? { git: options.git } : {}),
            ...(options.runUrl ? { runUrl: options.runUrl } : {}),
            ...(options.actor ? { actor: options.actor } : {}),
        });
        try {
            await store.tag(`${dataset}@${version.digest}`, "latest", {
                expect: latest,
                ...(options.actor ? { actor: options.actor } : {}),
                ...(options.runUrl ? { runUrl: options.runUrl } : {}),
            });
        }
        catch (error) {
            if (!(error instanceof AliasConflictError))
                throw error;
            throw new DatasetMovedError(`dataset ${dataset}:latest moved to ${error.found ?? "nothing"} during the ingest (expected ${latest ?? "nothing"}); ${version.ref} holds this ingest's cases on top of ${previous?.ref ?? "nothing"} but latest was left alone; run the ingest again`, version.ref, error.found);
        }
        logger.info(`feedback ${eventsName}: ${version.ref} ${version.digest}: ${run.added} new cases, ${run.carried} carried, ${run.duplicates.total} duplicates, ${run.bad} bad`);
        return run.result({
            ...common,
            version: { ref: version.ref, digest: version.digest },
            parents: version.parents.map((p) => ({ ref: p.ref ?? `${dataset}@${p.digest}`, digest: p.digest })),
        });
    }
    finally {
        await source?.close().catch(() => { });
        if (stage)
            await rm(stage, { recursive: true, force: true });
    }
}
/** One ingest's state: the output, the duplicate keys, the counters. */
class IngestRun {
    #out;
    #redactor;
    #requireConsent;
    #maxBadLines;
    #models;
    #maxModels;
    /** Request-id and content keys of every case in the version so far (domain-separated: text.ts). */
    // Fuller than the default: ids and contents of a million events, where memory matters more than probes.
    #seen = new HashSet64(4096, { maxLoad: 0.75 });
    /** Models of the cases added (lineage: the models whose outputs are in the version). */
    #usedModels = new Set();
    #stats = { redactions: new Map(), sanitized: 0 };
    #badByReason = new Map();
    #badLines = [];
    #pending = "";
    read = 0;
    added = 0;
    carried = 0;
    bad = 0;
    duplicates = { total: 0, requestId: 0, content: 0 };
    constructor(out, options) {
        this.#out = out;
        this.#redactor = options.redactor;
        this.#requireConsent = options.requireConsent;
        this.#maxBadLines = options.maxBadLines;
        this.#maxModels = options.maxModels;
        this.#models = new ModelLookup(options.store, { maxModels: options.maxModels });
    }
    /**
     * The previous version's cases, copied line for line (so they keep their bytes and their ids),
     * each registered as a duplicate key. They were valid cases once; one that is not any more is
     * an error naming its line (eval would refuse the file too), not something to drop.
     */
    async carry(path, shownAs, signal) {
        const lines = [];
        const splitter = new LineSplitter((text, line) => lines.push({ text, line }), { maxLineBytes: MAX_CASE_LINE_BYTES });
        const handle = await open(path, "r");
        try {
            for await (const chunk of ingest_readChunks(handle)) {
                signal?.throwIfAborted();
                splitter.push(chunk);
                await this.#carryLines(lines, shownAs);
            }
            splitter.end();
            await this.#carryLines(lines, shownAs);
        }
        finally {
            await handle.close();
        }
    }
    async #carryLines(lines, shownAs) {
        for (const { text, line } of lines) {
            if (text.trim() === "")
                continue;
            const at = { file: shownAs, line, column: 1 };
            let value;
            try {
                value = JSON.parse(text);
            }
            catch {
                throw new InputError(`${shownAs}:${line}: expected one JSON case per line`);
            }
            const config = validateCaseRow({ value, yamlPath: `[${this.carried}]`, locate: () => at });
            const id = config.id ?? caseId(config.vars, config.expected);
            this.#seen.add(...pair(idKey(id)));
            this.#seen.add(...pair(contentKey(config.vars, config.expected, text)));
            this.carried++;
            await this.#write(`${text}\n`);
        }
        lines.length = 0;
    }
    /** Reads the events a chunk at a time; each chunk's lines are handled before the next is read. */
    async ingest(events, maxLineBytes, signal) {
        // `text` undefined: a line over maxLineBytes, skipped unread by the splitter.
        const lines = [];
        const splitter = new LineSplitter((text, line) => lines.push({ text, line }), {
            maxLineBytes,
            onTooLong: (line) => lines.push({ text: undefined, line }),
        });
        for await (const chunk of events) {
            signal?.throwIfAborted();
            splitter.push(chunk);
            await this.#events(lines, maxLineBytes);
        }
        splitter.end();
        await this.#events(lines, maxLineBytes);
    }
    async #events(lines, maxLineBytes) {
        for (const { text, line } of lines) {
            if (text === undefined) {
                this.read++;
                this.#bad(line, "too-long", `expected lines of at most ${maxLineBytes} bytes`);
                continue;
            }
            if (text.trim() === "")
                continue;
            this.read++;
            await this.#event(text, line);
        }
        lines.length = 0;
    }
    async #event(text, line) {
        const parsed = parseFeedbackLine(text);
        if (!parsed.ok)
            return this.#bad(line, parsed.reason, parsed.message);
        const event = parsed.event;
        if (event.consent === false)
            return this.#bad(line, "no-consent", "consent: false (the user declined; never ingested)");
        if (this.#requireConsent && event.consent !== true)
            return this.#bad(line, "no-consent", "consent: missing; expected true (--require-consent)");
        const status = await this.#models.status(event.model);
        if (status === "unknown")
            return this.#bad(line, "unknown-model", "model: not a model version in the store (name@digest)");
        if (status === "over-limit")
            return this.#bad(line, "model-limit", `model: more than ${this.#maxModels} distinct models in one ingest`);
        const built = eventToCase(event, this.#redactor, this.#stats);
        // By the request id as sent, even when the case is named otherwise (to-case.ts): the key is a
        // hash held in memory only, so personal data in an id is compared but never written.
        const id = idKey(`${FEEDBACK_ID_PREFIX}${event.requestId}`);
        if (this.#seen.has(id.hi, id.lo)) {
            this.duplicates.total++;
            this.duplicates.requestId++;
            return;
        }
        const content = contentKey(built.vars, built.expected, text);
        if (!this.#seen.add(content.hi, content.lo)) {
            this.duplicates.total++;
            this.duplicates.content++;
            return;
        }
        this.#seen.add(id.hi, id.lo);
        if (this.#usedModels.size < this.#maxModels)
            this.#usedModels.add(event.model);
        this.added++;
        await this.#write(`${JSON.stringify(built)}\n`);
    }
    #bad(line, reason, message) {
        this.bad++;
        this.#badByReason.set(reason, (this.#badByReason.get(reason) ?? 0) + 1);
        if (this.#badLines.length < this.#maxBadLines)
            this.#badLines.push({ line, reason, message });
    }
    async #write(text) {
        this.#pending += text;
        if (this.#pending.length < WRITE_BATCH_CHARS)
            return;
        const batch = this.#pending;
        this.#pending = "";
        await this.#out.write(batch);
    }
    async finish() {
        if (this.#pending)
            await this.#out.write(this.#pending);
        this.#pending = "";
        await this.#out.finish();
    }
    /** Models whose outputs are in the new cases, sorted, as parent refs. */
    modelParents() {
        return [...this.#usedModels].sort();
    }
    /** One line: how many events, why they were bad, and the first one. */
    rejection(eventsName) {
        const reasons = [...this.#badByReason].map(([reason, n]) => `${n} ${reason}`).join(", ");
        const first = this.#badLines[0];
        return `feedback ${eventsName}: all ${this.read} events are bad (${reasons})${first ? `; first: line ${first.line}: ${first.message}` : ""}`;
    }
    result(fields) {
        const byKind = Object.fromEntries([...this.#stats.redactions].sort(([a], [b]) => (a < b ? -1 : 1)));
        return feedbackIngestResultSchema.parse({
            schemaVersion: 1,
            ...fields,
            counts: {
                read: this.read,
                added: this.added,
                carried: this.carried,
                duplicates: { ...this.duplicates },
                bad: { total: this.bad, byReason: Object.fromEntries(this.#badByReason) },
                redactions: { total: [...this.#stats.redactions.values()].reduce((s, n) => s + n, 0), byKind },
                sanitized: this.#stats.sanitized,
            },
            badLines: this.#badLines,
            unknownModels: { total: this.#models.unknownCount, first: this.#models.unknown(10) },
        });
    }
}
function pair(key) {
    return [key.hi, key.lo];
}
/**
 * The version the new one extends (`base`) and what `latest` points at now (`latest`, the
 * compare-and-swap's expectation): `latest`, or while a dataset has versions but no `latest`
 * yet, its newest `vN` (its cases are not dropped for want of an alias). Either must be a dataset
 * version of this very name: a model's repository is not extended with cases.
 */
async function previousVersion(store, dataset) {
    const latest = await store.metadata(dataset, "latest");
    let info = latest;
    let reference = "latest";
    if (!info) {
        const newest = (await store.list(dataset))[0];
        if (!newest)
            return { base: null, latest: null };
        info = await store.metadata(dataset, newest.digest);
        reference = newest.version;
        if (!info)
            throw new InputError(`dataset ${dataset}:${newest.version}: listed but not found in store ${store.location}`);
    }
    if (!isVersionOf(info, dataset, "dataset")) {
        throw new InputError(`dataset ${dataset}:${reference}: is a ${info.metadata.kind} version of ${info.metadata.name}; expected a dataset named ${dataset}`);
    }
    return { base: info.digest, latest: latest?.digest ?? null };
}
/** Opens the feedback file, or an InputError naming it. */
async function openEvents(path, name) {
    try {
        const handle = await open(path, "r");
        const stat = await handle.stat();
        if (stat.isDirectory()) {
            await handle.close();
            throw new InputError(`feedback file ${name}: is a directory; expected a JSONL file of feedback events`);
        }
        return handle;
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        const code = error.code;
        throw new InputError(`feedback file ${name}: ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`);
    }
}
/** A file's bytes a chunk at a time into one reused buffer (LineSplitter copies what it keeps). */
async function* ingest_readChunks(handle) {
    const buffer = Buffer.allocUnsafe(ingest_READ_CHUNK_BYTES);
    for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0)
            return;
        yield buffer.subarray(0, bytesRead);
    }
}
async function* chunksOf(handle, name) {
    try {
        yield* ingest_readChunks(handle);
    }
    catch (error) {
        throw new InputError(`feedback file ${name}: cannot be read (${error.code ?? error.message})`);
    }
}
/**
 * Whether the previous version has the cases file: true for a regular file, false when absent;
 * a directory (or anything else) at that path is an error naming it.
 */
async function existingFile(path, shownAs) {
    try {
        const st = await lstat(path);
        if (st.isFile())
            return true;
    }
    catch (error) {
        if (error.code === "ENOENT")
            return false;
        throw new InputError(`${shownAs}: cannot be read (${error.code}); expected the cases file (or nothing) at that path`);
    }
    throw new InputError(`${shownAs}: is not a file; expected the cases file (or nothing) at that path`);
}

;// CONCATENATED MODULE: ../../packages/operate/src/feedback/index.ts







;// CONCATENATED MODULE: ../../packages/operate/src/metrics/errors.ts

/**
 * A metric set that would break the exposition: a bad metric or label name, a series given twice,
 * two families whose sample names clash. Input, not a malfunction (exit 2): it comes from the
 * results given or from a `--grouping` flag.
 */
class errors_MetricsError extends src/* InputError */.dzK {
}
/** The Pushgateway refused the push or did not answer after retries (exit 3). */
class errors_PushgatewayError extends src/* ExternalError */.yAX {
    /** The HTTP status of the last answer, when there was one. */
    status;
    constructor(message, status, options) {
        super(message, options);
        this.status = status;
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/escape.ts

/**
 * How strings and numbers are written into the exposition. Label values come from results and
 * stores (suite, metric, feature and model names, versions): anything a user can type, so they
 * are escaped as the formats define, made valid UTF-8, and bounded in length.
 */
/** Code points a label value keeps at most; longer ones are cut (see boundLabelValue). */
const MAX_LABEL_VALUE_LENGTH = 256;
const HASH_HEX = 12;
/**
 * A label value as written: lone UTF-16 surrogates (which no UTF-8 encoder can write) become
 * U+FFFD, and a value longer than MAX_LABEL_VALUE_LENGTH code points keeps its start and ends with
 * `…` and 12 hex digits of the SHA-256 of the whole value. The hash keeps two long values that
 * share a start apart: cutting them alike would make two series one, which the exposition forbids.
 */
function escape_boundLabelValue(value) {
    const text = value.toWellFormed();
    // Code points, not UTF-16 units: a cut never splits a character.
    const points = Array.from(text);
    if (points.length <= MAX_LABEL_VALUE_LENGTH)
        return text;
    const hash = createHash("sha256").update(text, "utf8").digest("hex").slice(0, HASH_HEX);
    return `${points.slice(0, MAX_LABEL_VALUE_LENGTH - HASH_HEX - 1).join("")}…${hash}`;
}
/**
 * A label value between double quotes. Both formats escape the same three characters and
 * nothing else: backslash → `\\`, double quote → `\"`, line feed → `\n` (OpenMetrics 1.0,
 * "Escaping"; Prometheus text 0.0.4). Other characters, control characters included, are allowed
 * as they are (the ABNF's normal-char).
 */
function escape_escapeLabelValue(value) {
    return value.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}
/**
 * A HELP text. OpenMetrics escapes it like a label value; the Prometheus text format 0.0.4 escapes
 * only backslash and line feed, and its parsers (Pushgateway, promtool) refuse `\"` there, so a
 * double quote stays as it is.
 */
function escape_escapeHelp(text, format) {
    const wellFormed = text.toWellFormed();
    if (format === "openmetrics")
        return escape_escapeLabelValue(wellFormed);
    return wellFormed.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}
/**
 * A sample value: NaN, +Inf and -Inf as both formats spell them; otherwise JavaScript's shortest
 * round-trip form, which is a realnumber of the ABNF (integers without a decimal point, `1e-7`,
 * `1e+21`) and reads back as the same float64.
 */
function escape_formatValue(value) {
    if (Number.isNaN(value))
        return "NaN";
    if (value === Number.POSITIVE_INFINITY)
        return "+Inf";
    if (value === Number.NEGATIVE_INFINITY)
        return "-Inf";
    return String(value);
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/names.ts

/**
 * The names of the exposition, by the ABNF of OpenMetrics 1.0 ("Text format"), narrowed where the
 * spec reserves: a leading underscore (metric and label names) and colons (metric names, kept for
 * the results of aggregation by a monitoring system) are refused, so no name we write can mean
 * something the spec or Prometheus gives a meaning to.
 */
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const UNIT = /^[a-z][a-z0-9_]*$/;
/** Long enough for any name we define, short enough that a flag cannot smuggle a page into every series. */
const MAX_NAME_LENGTH = 128;
/**
 * Suffixes the text format appends to sample names (counter `_total`/`_created`, summary and
 * histogram `_count`/`_sum`/`_bucket`, gauge histogram `_gcount`/`_gsum`, info `_info`). A family
 * named with one could clash with another family's samples ("Suffixes"), and readers confuse them,
 * so no family name ends with one; with unique family names that rules out every clash.
 */
const RESERVED_SUFFIXES = ["_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info"];
function checkMetricName(name) {
    if (name.length > MAX_NAME_LENGTH || !METRIC_NAME.test(name))
        throw new errors_MetricsError(`metric name ${JSON.stringify(name.slice(0, MAX_NAME_LENGTH))}: expected a letter, then letters, digits and _ (at most ${MAX_NAME_LENGTH})`);
    const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix)
        throw new errors_MetricsError(`metric name ${name}: ends with ${suffix}, a suffix the text format gives sample names`);
}
/** `what` names the label in the message: "label name", "--grouping label". */
function names_checkLabelName(name, what = "label name") {
    if (name.length > MAX_NAME_LENGTH || !LABEL_NAME.test(name))
        throw new errors_MetricsError(`${what} ${JSON.stringify(name.slice(0, MAX_NAME_LENGTH))}: expected a letter, then letters, digits and _ (a leading _ is reserved)`);
}
/** A unit must be the last part of its family's name, after an underscore ("Unit"). */
function checkUnit(family, unit) {
    if (!UNIT.test(unit))
        throw new errors_MetricsError(`unit ${JSON.stringify(unit)} of ${family}: expected lowercase letters, digits and _`);
    if (!family.endsWith(`_${unit}`))
        throw new errors_MetricsError(`unit ${unit} of ${family}: the family name must end with _${unit}`);
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/metric-set.ts



/** Checks a family's names once, where it is defined, so a bad definition fails at import, not mid-export. */
function defineFamily(family) {
    checkMetricName(family.name);
    // The spec says SHOULD; promtool's lint says "no help text": every family of ours explains itself.
    if (family.help.trim() === "")
        throw new errors_MetricsError(`${family.name}: HELP is empty; say what the family measures`);
    if (family.unit !== undefined) {
        if (family.type === "info")
            throw new errors_MetricsError(`${family.name}: an info family has no unit`);
        checkUnit(family.name, family.unit);
    }
    const seen = new Set();
    for (const label of family.labels) {
        names_checkLabelName(label);
        if (seen.has(label))
            throw new errors_MetricsError(`${family.name}: label ${label} listed twice`);
        seen.add(label);
    }
    return family;
}
function sameDefinition(a, b) {
    return (a.type === b.type &&
        a.help === b.help &&
        a.unit === b.unit &&
        a.labels.length === b.labels.length &&
        a.labels.every((l, i) => l === b.labels[i]));
}
class MetricSet {
    #families = new Map();
    #samples = 0;
    /** Adds one series; `source` (a file name) is named when another source gives the same series. */
    add(sample, source) {
        const { family, value } = sample;
        let entry = this.#families.get(family.name);
        if (!entry) {
            defineFamily(family);
            entry = { family, series: [], sources: new Map() };
            this.#families.set(family.name, entry);
        }
        else if (entry.family !== family && !sameDefinition(entry.family, family)) {
            throw new MetricsError(`metric family ${family.name} is defined twice, differently`);
        }
        const unknown = Object.keys(sample.labels).find((name) => !family.labels.includes(name));
        if (unknown !== undefined)
            throw new MetricsError(`${family.name}: label ${unknown} is not one of its labels (${family.labels.join(", ")})`);
        if (family.type === "info" && value !== 1)
            throw new MetricsError(`${family.name}: an info sample's value is 1, got ${value}`);
        if (family.type === "counter" && !(value >= 0))
            throw new MetricsError(`${family.name}: a counter is a number ≥ 0, got ${value}`);
        const labels = [];
        for (const name of family.labels) {
            const raw = sample.labels[name];
            if (raw === undefined || raw === null || raw === "")
                continue;
            labels.push([name, boundLabelValue(raw)]);
        }
        const key = JSON.stringify(labels);
        if (entry.sources.has(key)) {
            const first = entry.sources.get(key);
            const where = [first, source].filter((s) => s !== undefined);
            const from = where.length > 0 ? ` (from ${where.join(" and ")})` : "";
            throw new MetricsError(`series ${describeSeries(family.name, labels)} is given twice${from}: each series once per export`);
        }
        entry.sources.set(key, source);
        entry.series.push({ labels, value });
        this.#samples++;
    }
    addAll(samples, source) {
        for (const sample of samples)
            this.add(sample, source);
    }
    /** Families in the order their first series was added, each with its series in order. */
    families() {
        return [...this.#families.values()].map(({ family, series }) => ({ family, series }));
    }
    /** How many series were added. */
    get size() {
        return this.#samples;
    }
}
/** `name{a="x",b="y"}` for a message; values JSON-quoted so a hostile one stays on one line. */
function describeSeries(name, labels) {
    const text = labels.map(([label, value]) => `${label}=${JSON.stringify(value.slice(0, 80))}`).join(",");
    return `${name}{${text}}`;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/catalog.ts

/**
 * Every metric family `llmops metrics` writes: the machine interface of the export (README,
 * "Metrics export"). Renaming a family or a label breaks dashboards and alerts built on it.
 *
 * Labels: `suite`, `metric`, `feature`, `check` are names from llmops.yaml and the results;
 * `model` is the model's repository name (the ref without tag or digest) and `digest` the exact
 * version, so a series keeps its name across versions while `digest` tells them apart;
 * `environment` is the environment the numbers are about (eval and compare: `--environment`).
 * Values are plain numbers: means and rates in the metric's own scale, 1/0 for yes/no, times as
 * Unix seconds.
 */
const EVAL = ["suite", "metric", "model", "digest", "environment"];
const EVAL_RUN = ["suite", "model", "digest", "environment"];
const INTERVAL = [...EVAL, "level"];
const COMPARE = ["suite", "metric", "environment"];
const COMPARE_RUN = ["suite", "environment"];
const ROLLOUT = ["environment", "name", "candidate"];
const CHECK = ["dataset", "digest", "check"];
const DRIFT = ["environment", "suite", "feature"];
const MONITOR = ["environment", "suite", "metric"];
const catalog_families = {
    // eval: summary.json of one run of one suite
    evalMetric: defineFamily({
        name: "llmops_eval_metric",
        type: "gauge",
        help: "Value of an eval metric over the run's cases (mean, rate or corpus statistic).",
        labels: EVAL,
    }),
    evalMetricCiLow: defineFamily({
        name: "llmops_eval_metric_ci_low",
        type: "gauge",
        help: "Lower bound of the metric's confidence interval at the level in the level label.",
        labels: INTERVAL,
    }),
    evalMetricCiHigh: defineFamily({
        name: "llmops_eval_metric_ci_high",
        type: "gauge",
        help: "Upper bound of the metric's confidence interval at the level in the level label.",
        labels: INTERVAL,
    }),
    evalMetricCases: defineFamily({
        name: "llmops_eval_metric_cases",
        type: "gauge",
        help: "Cases that counted towards the metric.",
        labels: EVAL,
    }),
    evalSliceMetric: defineFamily({
        name: "llmops_eval_slice_metric",
        type: "gauge",
        help: "Value of an eval metric on the cases of one slice (tag slice = slice_value).",
        labels: [...EVAL, "slice", "slice_value"],
    }),
    evalCases: defineFamily({
        name: "llmops_eval_cases",
        type: "gauge",
        help: "Distinct cases in the run (repeats counted once).",
        labels: EVAL_RUN,
    }),
    evalErrors: defineFamily({
        name: "llmops_eval_errors",
        type: "gauge",
        help: "Case results (case x repeat) whose provider call failed.",
        labels: EVAL_RUN,
    }),
    evalPassed: defineFamily({
        name: "llmops_eval_passed",
        type: "gauge",
        help: "1 when every gate of the suite passed, else 0.",
        labels: EVAL_RUN,
    }),
    evalFinished: defineFamily({
        name: "llmops_eval_finished_timestamp_seconds",
        type: "gauge",
        unit: "seconds",
        help: "When the run finished, in Unix seconds.",
        labels: EVAL_RUN,
    }),
    // compare: head against a baseline on the same cases
    compareBaseline: defineFamily({
        name: "llmops_compare_baseline",
        type: "gauge",
        help: "The metric on the baseline, over the cases both sides have.",
        labels: COMPARE,
    }),
    compareHead: defineFamily({
        name: "llmops_compare_head",
        type: "gauge",
        help: "The metric on the head, over the cases both sides have.",
        labels: COMPARE,
    }),
    compareDelta: defineFamily({ name: "llmops_compare_delta", type: "gauge", help: "Head minus baseline.", labels: COMPARE }),
    compareDeltaCiLow: defineFamily({
        name: "llmops_compare_delta_ci_low",
        type: "gauge",
        help: "Lower bound of the paired confidence interval of the delta.",
        labels: [...COMPARE, "level"],
    }),
    compareDeltaCiHigh: defineFamily({
        name: "llmops_compare_delta_ci_high",
        type: "gauge",
        help: "Upper bound of the paired confidence interval of the delta.",
        labels: [...COMPARE, "level"],
    }),
    comparePValue: defineFamily({
        name: "llmops_compare_p_value",
        type: "gauge",
        help: "p-value of the paired test (McNemar exact or paired bootstrap) named in the test label.",
        labels: [...COMPARE, "test"],
    }),
    comparePAdjusted: defineFamily({
        name: "llmops_compare_p_adjusted",
        type: "gauge",
        help: "Holm-adjusted p-value across the suite's compared metrics.",
        labels: [...COMPARE, "test"],
    }),
    compareRegression: defineFamily({
        name: "llmops_compare_regression",
        type: "gauge",
        help: "1 when the metric regressed significantly, else 0.",
        labels: COMPARE,
    }),
    compareMatched: defineFamily({
        name: "llmops_compare_matched_cases",
        type: "gauge",
        help: "Cases present on both sides.",
        labels: COMPARE_RUN,
    }),
    compareFlips: defineFamily({
        name: "llmops_compare_flips",
        type: "gauge",
        help: "Cases whose pass/fail outcome flipped, by direction (pass-to-fail, fail-to-pass).",
        labels: [...COMPARE_RUN, "direction"],
    }),
    comparePassed: defineFamily({
        name: "llmops_compare_passed",
        type: "gauge",
        help: "1 when the comparison's gates passed, else 0.",
        labels: COMPARE_RUN,
    }),
    // promotion: `llmops status --json`
    promotion: defineFamily({
        name: "llmops_promotion",
        type: "info",
        help: "The version an environment's alias names.",
        labels: ["environment", "name", "alias", "digest", "version"],
    }),
    promotionSince: defineFamily({
        name: "llmops_promotion_since_timestamp_seconds",
        type: "gauge",
        unit: "seconds",
        help: "When the environment's alias was moved to its version, in Unix seconds.",
        labels: ["environment", "name", "alias"],
    }),
    rollout: defineFamily({
        name: "llmops_rollout",
        type: "info",
        help: "The environment's newest canary rollout: candidate, stable version and last decision.",
        labels: ["environment", "name", "candidate", "stable", "version", "decision"],
    }),
    rolloutPercent: defineFamily({
        name: "llmops_rollout_percent",
        type: "gauge",
        help: "Percent of traffic the canary candidate gets after the last decision.",
        labels: ROLLOUT,
    }),
    rolloutStep: defineFamily({
        name: "llmops_rollout_step",
        type: "gauge",
        help: "Index (from 0) of the rollout step in force after the last decision.",
        labels: ROLLOUT,
    }),
    rolloutSteps: defineFamily({ name: "llmops_rollout_steps", type: "gauge", help: "Number of steps of the rollout.", labels: ROLLOUT }),
    // check: dataset checks of one dataset version
    checkPassed: defineFamily({
        name: "llmops_check_passed",
        type: "gauge",
        help: "1 when the dataset check passed, else 0.",
        labels: CHECK,
    }),
    checkFindings: defineFamily({
        name: "llmops_check_findings",
        type: "gauge",
        help: "Findings of the dataset check (duplicates, contaminated cases, PII matches, schema errors).",
        labels: CHECK,
    }),
    checkFindingsByKind: defineFamily({
        name: "llmops_check_findings_by_kind",
        type: "gauge",
        help: "Findings of the dataset check of one kind (email, iban, exact, near, ngram, ...).",
        labels: [...CHECK, "kind"],
    }),
    checkCases: defineFamily({
        name: "llmops_check_cases",
        type: "gauge",
        help: "Cases the dataset checks read.",
        labels: ["dataset", "digest"],
    }),
    // monitor: drift and live quality of an environment
    driftPsi: defineFamily({
        name: "llmops_drift_psi",
        type: "gauge",
        help: "Population stability index of the feature, production sample against reference.",
        labels: DRIFT,
    }),
    driftStatistic: defineFamily({
        name: "llmops_drift_statistic",
        type: "gauge",
        help: "Statistic of a drift test (psi, ks distance, chi-square X2, oov rate) on one aspect (value, length, language, vocabulary, category).",
        labels: [...DRIFT, "test", "aspect"],
    }),
    driftPValue: defineFamily({
        name: "llmops_drift_p_value",
        type: "gauge",
        help: "p-value of a drift test (ks, chi-square) on one aspect of the feature.",
        labels: [...DRIFT, "test", "aspect"],
    }),
    driftDetected: defineFamily({
        name: "llmops_drift_detected",
        type: "gauge",
        help: "1 when the feature drifted significantly, else 0.",
        labels: DRIFT,
    }),
    monitorMetric: defineFamily({
        name: "llmops_monitor_metric",
        type: "gauge",
        help: "The monitoring suite's metric on the live endpoint.",
        labels: MONITOR,
    }),
    monitorBaseline: defineFamily({
        name: "llmops_monitor_baseline",
        type: "gauge",
        help: "The metric in the evidence recorded when the serving version was promoted.",
        labels: MONITOR,
    }),
    monitorDelta: defineFamily({
        name: "llmops_monitor_delta",
        type: "gauge",
        help: "Live minus promoted value of the metric.",
        labels: MONITOR,
    }),
    monitorPValue: defineFamily({
        name: "llmops_monitor_p_value",
        type: "gauge",
        help: "p-value of the paired test (named in the test label) of live against promoted.",
        labels: [...MONITOR, "test"],
    }),
    monitorRegression: defineFamily({
        name: "llmops_monitor_regression",
        type: "gauge",
        help: "1 when the live metric regressed significantly, else 0.",
        labels: MONITOR,
    }),
    monitorAlert: defineFamily({
        name: "llmops_monitor_alert",
        type: "gauge",
        help: "1 when the monitor of the environment and suite is alerting, 0 when everything it judged passed.",
        labels: ["environment", "suite"],
    }),
};
/** 1 for true, 0 for false (OpenMetrics "Booleans"). */
function catalog_bool(value) {
    return value ? 1 : 0;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/check.ts

function checkSamples(input) {
    const dataset = { dataset: input.dataset.name, digest: input.dataset.digest };
    const samples = [];
    for (const check of input.checks) {
        const labels = { ...dataset, check: check.name };
        samples.push({ family: families.checkPassed, labels, value: bool(check.passed) });
        samples.push({ family: families.checkFindings, labels, value: check.findings });
        for (const [kind, findings] of Object.entries(check.kinds ?? {})) {
            samples.push({ family: families.checkFindingsByKind, labels: { ...labels, kind }, value: findings });
        }
    }
    if (input.cases !== undefined)
        samples.push({ family: families.checkCases, labels: dataset, value: input.cases });
    return samples;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/compare.ts

/**
 * A comparison (`comparison.json` of one suite) as samples: per metric baseline, head, delta with
 * its paired interval, p-value and Holm-adjusted p-value, and whether it regressed; per suite the
 * matched cases, the flips by direction and whether its gates passed. A metric that could not be
 * tested (`test: none`) has no p-value series: its placeholder p of 1 is not a test result.
 */
function comparisonSamples(comparison, options = {}) {
    const suite = { suite: comparison.suite, environment: options.environment };
    const samples = [];
    for (const metric of comparison.metrics) {
        const labels = { ...suite, metric: metric.name };
        samples.push({ family: families.compareBaseline, labels, value: metric.baseline });
        samples.push({ family: families.compareHead, labels, value: metric.head });
        samples.push({ family: families.compareDelta, labels, value: metric.delta });
        if (metric.ci.method !== "none") {
            const interval = { ...labels, level: String(metric.ci.level) };
            samples.push({ family: families.compareDeltaCiLow, labels: interval, value: metric.ci.low });
            samples.push({ family: families.compareDeltaCiHigh, labels: interval, value: metric.ci.high });
        }
        if (metric.test !== "none") {
            const tested = { ...labels, test: metric.test };
            samples.push({ family: families.comparePValue, labels: tested, value: metric.pValue });
            samples.push({ family: families.comparePAdjusted, labels: tested, value: metric.pAdjusted });
        }
        samples.push({ family: families.compareRegression, labels, value: bool(metric.verdict === "significant regression") });
    }
    samples.push({ family: families.compareMatched, labels: suite, value: comparison.matched });
    for (const direction of ["pass-to-fail", "fail-to-pass"]) {
        const flips = comparison.flips.filter((f) => f.direction === direction).length;
        samples.push({ family: families.compareFlips, labels: { ...suite, direction }, value: flips });
    }
    // From the gates, as the report stage reads a comparison it did not write: the stored verdict is not trusted.
    samples.push({ family: families.comparePassed, labels: suite, value: bool(comparison.gates.every((g) => g.passed)) });
    return samples;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/eval.ts


/** `team/sentiment:v3` and `team/sentiment@sha256:…` → `team/sentiment`: the repository, stable across versions. */
function modelName(ref) {
    const at = ref.indexOf("@");
    const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
    const colon = withoutDigest.lastIndexOf(":");
    return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}
function evalSamples(summary, options = {}) {
    // A shard or an interrupted run is not the suite's result: exported, it would read as one.
    if (!summary.complete) {
        const what = summary.shard ? `shard ${summary.shard.index} of ${summary.shard.count}` : "an interrupted run";
        throw new InputError(`eval results of suite ${summary.suite} are ${what}; export the complete (merged) run`);
    }
    const run = {
        suite: summary.suite,
        model: summary.model ? modelName(summary.model.ref) : undefined,
        digest: summary.model?.digest,
        environment: options.environment,
    };
    const samples = [];
    for (const metric of summary.metrics) {
        const labels = { ...run, metric: metric.name };
        samples.push({ family: families.evalMetric, labels, value: metric.mean });
        if (metric.ci.method !== "none") {
            const interval = { ...labels, level: String(metric.ci.level) };
            samples.push({ family: families.evalMetricCiLow, labels: interval, value: metric.ci.low });
            samples.push({ family: families.evalMetricCiHigh, labels: interval, value: metric.ci.high });
        }
        samples.push({ family: families.evalMetricCases, labels, value: metric.n });
    }
    for (const slice of summary.slices) {
        for (const metric of slice.metrics) {
            const labels = { ...run, metric: metric.name, slice: slice.key, slice_value: slice.value };
            samples.push({ family: families.evalSliceMetric, labels, value: metric.mean });
        }
    }
    samples.push({ family: families.evalCases, labels: run, value: summary.cases });
    samples.push({ family: families.evalErrors, labels: run, value: summary.errors });
    samples.push({ family: families.evalPassed, labels: run, value: bool(summary.passed) });
    const finished = Date.parse(summary.finishedAt);
    if (Number.isFinite(finished))
        samples.push({ family: families.evalFinished, labels: run, value: finished / 1000 });
    return samples;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/monitor.ts


/**
 * MonitorResultInput as a zod schema: what `llmops metrics` checks a monitor document against.
 * Loose (other fields pass) and narrower than monitor/result.ts's schema, which the tests hold it
 * to; `alerting` at the top is what tells a monitor document from a status one.
 */
const monitorResultInputSchema = schemas.looseObject({
    schemaVersion: schemas.literal(1),
    alerting: schemas.boolean(),
    environments: schemas.array(schemas.looseObject({
        environment: schemas.string(),
        monitors: schemas.array(schemas.looseObject({
            key: schemas.string(),
            quality: schemas.looseObject({
                suite: schemas.string(),
                metrics: schemas.array(schemas.looseObject({
                    name: schemas.string(),
                    baseline: schemas.number(),
                    head: schemas.number(),
                    delta: schemas.number(),
                    test: schemas.string(),
                    pValue: schemas.number(),
                    verdict: schemas.string(),
                })),
            })
                .optional(),
            drift: schemas.looseObject({
                features: schemas.array(schemas.looseObject({
                    field: schemas.string(),
                    verdict: schemas.string(),
                    psi: schemas.number().optional(),
                    tests: schemas.array(schemas.looseObject({ test: schemas.string(), of: schemas.string(), statistic: schemas.number(), pValue: schemas.number().optional() })),
                })),
            })
                .optional(),
            alert: schemas.looseObject({ status: schemas.string() }),
        })),
    })),
});
function driftSamples(drift) {
    const samples = [];
    for (const d of drift) {
        const labels = { environment: d.environment, suite: d.suite, feature: d.feature };
        if (d.psi !== undefined)
            samples.push({ family: families.driftPsi, labels, value: d.psi });
        for (const t of d.tests ?? []) {
            const tested = { ...labels, test: t.test, aspect: t.of };
            if (t.statistic !== undefined)
                samples.push({ family: families.driftStatistic, labels: tested, value: t.statistic });
            if (t.pValue !== undefined)
                samples.push({ family: families.driftPValue, labels: tested, value: t.pValue });
        }
        if (d.drifted !== undefined)
            samples.push({ family: families.driftDetected, labels, value: bool(d.drifted) });
    }
    return samples;
}
function qualitySamples(quality) {
    const samples = [];
    for (const q of quality) {
        for (const m of q.metrics) {
            const labels = { environment: q.environment, suite: q.suite, metric: m.name };
            samples.push({ family: families.monitorMetric, labels, value: m.head });
            if (m.baseline !== undefined)
                samples.push({ family: families.monitorBaseline, labels, value: m.baseline });
            if (m.delta !== undefined)
                samples.push({ family: families.monitorDelta, labels, value: m.delta });
            if (m.pValue !== undefined && m.test !== "none")
                samples.push({ family: families.monitorPValue, labels: { ...labels, test: m.test }, value: m.pValue });
            if (m.regression !== undefined)
                samples.push({ family: families.monitorRegression, labels, value: bool(m.regression) });
        }
    }
    return samples;
}
function alertSamples(alerts) {
    return alerts.map((a) => ({
        family: families.monitorAlert,
        labels: { environment: a.environment, suite: a.suite },
        value: bool(a.alerting),
    }));
}
/** A whole monitoring pass: every environment's monitors, drift, quality and alert. */
function monitorResultSamples(result) {
    const drift = [];
    const quality = [];
    const alerts = [];
    for (const { environment, monitors } of result.environments) {
        for (const monitor of monitors) {
            const suite = monitor.quality?.suite ?? monitor.key;
            for (const f of monitor.drift?.features ?? []) {
                const drifted = f.verdict === "drift" ? true : f.verdict === "ok" ? false : undefined;
                drift.push({ environment, suite, feature: f.field, psi: f.psi, tests: f.tests, drifted });
            }
            if (monitor.quality) {
                const metrics = monitor.quality.metrics.map((m) => ({ ...m, regression: m.verdict === "significant regression" }));
                quality.push({ environment, suite, metrics });
            }
            if (monitor.alert.status === "alerting" || monitor.alert.status === "ok")
                alerts.push({ environment, suite, alerting: monitor.alert.status === "alerting" });
        }
    }
    return [...driftSamples(drift), ...qualitySamples(quality), ...alertSamples(alerts)];
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/promotion.ts

/**
 * Per environment that serves a version: `llmops_promotion_info{environment,name,alias,digest,version} 1`
 * and when the alias moved there; per environment with a canary rollout (running or ended): the
 * rollout's info (candidate, stable, last decision) and its percent, step and number of steps, as
 * the newest rollout record left them. Environments that could not be read give nothing: the
 * caller says so (the CLI warns).
 */
function promotionSamples(status) {
    const samples = [];
    for (const env of status.environments) {
        if (env.error !== undefined)
            continue;
        if (env.digest !== null) {
            const where = { environment: env.environment, name: env.name, alias: env.alias };
            samples.push({ family: families.promotion, labels: { ...where, digest: env.digest, version: env.version }, value: 1 });
            const since = env.since === undefined ? Number.NaN : Date.parse(env.since);
            if (Number.isFinite(since))
                samples.push({ family: families.promotionSince, labels: where, value: since / 1000 });
        }
        if (env.rollout) {
            const { state, version } = env.rollout;
            const rollout = { environment: env.environment, name: env.name, candidate: state.candidate };
            samples.push({
                family: families.rollout,
                labels: { ...rollout, stable: state.stable, version, decision: state.decision },
                value: 1,
            });
            samples.push({ family: families.rolloutPercent, labels: rollout, value: state.percent });
            samples.push({ family: families.rolloutStep, labels: rollout, value: state.step });
            samples.push({ family: families.rolloutSteps, labels: rollout, value: state.steps.length });
        }
    }
    return samples;
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/render.ts

const EXPOSITION_FORMATS = (/* unused pure expression or super */ null && (["openmetrics", "prometheus"]));
const render_CONTENT_TYPES = {
    openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
    prometheus: "text/plain; version=0.0.4; charset=utf-8",
};
/** The name each series of a family is written under. */
function sampleName(name, type) {
    return type === "counter" ? `${name}_total` : type === "info" ? `${name}_info` : name;
}
function render_renderExposition(set, format) {
    const lines = [];
    for (const family of set.families()) {
        if (format === "openmetrics")
            writeOpenMetricsFamily(family, lines);
        else
            writePrometheusFamily(family, lines);
    }
    if (format === "openmetrics")
        lines.push("# EOF");
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
function writeOpenMetricsFamily({ family, series }, lines) {
    // The spec's order: TYPE, UNIT, HELP.
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.unit)
        lines.push(`# UNIT ${family.name} ${family.unit}`);
    if (family.help)
        lines.push(`# HELP ${family.name} ${escapeHelp(family.help, "openmetrics")}`);
    writeSeries(sampleName(family.name, family.type), series, lines);
}
function writePrometheusFamily({ family, series }, lines) {
    const name = sampleName(family.name, family.type);
    if (family.help)
        lines.push(`# HELP ${name} ${escapeHelp(family.help, "prometheus")}`);
    lines.push(`# TYPE ${name} ${family.type === "info" ? "gauge" : family.type}`);
    writeSeries(name, series, lines);
}
function writeSeries(name, series, lines) {
    for (const { labels, value } of series) {
        const text = labels.length === 0 ? "" : `{${labels.map(([label, v]) => `${label}="${escapeLabelValue(v)}"`).join(",")}}`;
        lines.push(`${name}${text} ${formatValue(value)}`);
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/pushgateway.ts






/** The defaults of pushMetrics, for the CLI's help. */
const PUSH_DEFAULTS = { timeoutMs: 10_000, retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };
function base64url(value) {
    return Buffer.from(value, "utf8").toString("base64url");
}
function segment(name, value) {
    if (value === "")
        return `${name}@base64/=`; // the API's spelling of an empty value: one `=`
    if (value.includes("/") || value === "." || value === "..")
        return `${name}@base64/${base64url(value)}`;
    return `${name}/${encodeURIComponent(value)}`;
}
/**
 * The group's path below the Pushgateway's URL: `/metrics/job/<job>{/<label>/<value>}`, labels in
 * the order given. Values are made valid UTF-8 and bounded as label values are (escape.ts).
 */
function groupingPath(job, grouping = {}) {
    if (job === "")
        throw new MetricsError("the Pushgateway job is empty; give a job name");
    const parts = [segment("job", boundLabelValue(job))];
    for (const [name, value] of Object.entries(grouping)) {
        checkLabelName(name, "grouping label");
        if (name === "job")
            throw new MetricsError("grouping label job: the job is given on its own (--job)");
        parts.push(segment(name, boundLabelValue(value)));
    }
    return `/metrics/${parts.join("/")}`;
}
/** The Pushgateway's base URL, checked: http(s), no credentials (they go in `auth`), no query or fragment. */
function pushgatewayBaseUrl(url) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw new MetricsError(`Pushgateway URL ${JSON.stringify(url.slice(0, 200))}: expected http(s)://host[:port][/prefix]`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
        throw new MetricsError(`Pushgateway URL: expected http or https, got ${parsed.protocol}`);
    if (parsed.username || parsed.password)
        throw new MetricsError("Pushgateway URL: holds credentials; give them in LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD");
    if (parsed.search || parsed.hash)
        throw new MetricsError("Pushgateway URL: expected no query or fragment (http(s)://host[:port][/prefix])");
    return parsed;
}
/**
 * A grouping label overrides the series' own label of that name on the Pushgateway: refused when
 * a series carries a different value, which the push would silently rewrite. pushMetrics checks
 * it; a caller that writes other things first checks it before them.
 */
function checkGroupingAgainstSeries(set, grouping) {
    for (const { family, series } of set.families()) {
        for (const { labels } of series) {
            for (const [name, value] of labels) {
                const key = grouping[name];
                if (key !== undefined && boundLabelValue(key) !== value)
                    throw new MetricsError(`grouping label ${name}=${JSON.stringify(key.slice(0, 80))} would overwrite ${name}=${JSON.stringify(value.slice(0, 80))} of ${family.name} on the Pushgateway`);
            }
        }
    }
}
/** Text from the server, safe for one line of a message: control characters escaped, bounded. */
function excerpt(text, secrets, max = 300) {
    let out = text;
    for (const secret of secrets.filter((s) => s.length >= 3))
        out = out.split(secret).join("***");
    out = out.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === "\n" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).trim();
    return out.length > max ? `${out.slice(0, max)}…` : out;
}
function networkReason(error, timeoutMs) {
    const e = error;
    if (e?.name === "TimeoutError")
        return `no answer within ${timeoutMs} ms`;
    return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}
async function pushMetrics(set, options) {
    const base = pushgatewayBaseUrl(options.url);
    const grouping = options.grouping ?? {};
    const path = groupingPath(options.job, grouping);
    checkGroupingAgainstSeries(set, grouping);
    const url = new URL(base.href.replace(/\/+$/, "") + path);
    const method = options.method ?? "PUT";
    const logger = options.logger ?? silentLogger;
    const timeoutMs = options.timeoutMs ?? PUSH_DEFAULTS.timeoutMs;
    const attempts = (options.retries ?? PUSH_DEFAULTS.retries) + 1;
    const baseDelay = options.baseDelayMs ?? PUSH_DEFAULTS.baseDelayMs;
    const maxDelay = options.maxDelayMs ?? PUSH_DEFAULTS.maxDelayMs;
    const random = options.random ?? Math.random;
    const body = renderExposition(set, "prometheus");
    const bytes = Buffer.byteLength(body, "utf8");
    const headers = { "Content-Type": CONTENT_TYPES.prometheus, "User-Agent": "llmops-actions" };
    const secrets = [];
    if (options.auth) {
        const credential = Buffer.from(`${options.auth.username}:${options.auth.password}`, "utf8").toString("base64");
        headers.Authorization = `Basic ${credential}`;
        // A server may echo the credential alone (base64 of user:password): masked like the password.
        secrets.push(headers.Authorization, credential, options.auth.password);
    }
    const where = `${method} ${url.href}`;
    for (let attempt = 1;; attempt++) {
        let reason;
        let wait;
        let status;
        try {
            const signal = options.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal]) : AbortSignal.timeout(timeoutMs);
            const response = await fetch(url, { method, headers, body, redirect: "manual", signal });
            const text = await response.text().catch(() => "");
            status = response.status;
            if (response.ok) {
                logger.debug(`pushgateway: ${where}: HTTP ${status} (${set.size} series, ${bytes} bytes, attempt ${attempt})`);
                return { url: url.href, method, status, attempts: attempt, series: set.size, bytes };
            }
            reason = `HTTP ${status}${text ? `: ${excerpt(text, secrets)}` : ""}`;
            const retriable = status >= 500 || status === 429 || status === 408;
            if (!retriable) {
                const hint = status === 401 || status === 403
                    ? " (credentials: LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD)"
                    : status >= 300 && status < 400
                        ? " (redirects are not followed)"
                        : "";
                throw new PushgatewayError(`${where} was refused: ${reason}${hint}`, status);
            }
            wait = retryAfterMs(response.headers.get("retry-after"));
        }
        catch (error) {
            if (error instanceof PushgatewayError)
                throw error;
            if (options.signal?.aborted)
                throw new PushgatewayError(`${where} aborted`, undefined, { cause: error });
            reason = excerpt(networkReason(error, timeoutMs), secrets);
        }
        if (attempt >= attempts)
            throw new PushgatewayError(`${where} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${reason}`, status);
        const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)) * (0.5 + random() * 0.5);
        const delay = Math.round(Math.min(maxDelay, wait ?? backoff));
        logger.warn(`pushgateway: ${where}: ${reason}; retrying in ${delay} ms (attempt ${attempt + 1} of ${attempts})`);
        try {
            await sleep(delay, options.signal);
        }
        catch (error) {
            throw new PushgatewayError(`${where} aborted`, undefined, { cause: error });
        }
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/sources.ts





const RESULT_KIND_DESCRIPTIONS = {
    eval: "eval results (summary.json)",
    "compare-report": "a compare report (report.json)",
    comparison: "a suite's comparison (comparison.json)",
    status: "`llmops status --json`",
    check: "`llmops check --json`",
    monitor: "`llmops monitor --json`",
};
/** Far above any result document; a bigger file is the wrong file (results.jsonl, a dataset). */
const MAX_RESULT_BYTES = (/* unused pure expression or super */ null && (64 * 1024 * 1024));
/**
 * The result documents at a path: the file itself; a directory's summary.json (eval results),
 * report.json (a compare report) or comparison.json (one suite's directory of a compare report);
 * or, for a directory with none of them, the summary.json of every eval results directory below
 * it (the parent `llmops eval` writes suites into). Exit 2, naming the path, for anything else.
 */
async function readResultDocuments(input, cwd) {
    const given = path.resolve(cwd, input);
    const info = await stat(given).catch(() => undefined);
    if (!info)
        throw new InputError(`${input}: no such file or directory`);
    if (!info.isDirectory())
        return [await readJsonDocument(given)];
    const found = [];
    for (const name of [EVAL_SUMMARY_FILE, COMPARE_REPORT_FILE, COMPARISON_FILE]) {
        if ((await stat(path.join(given, name)).catch(() => undefined))?.isFile())
            found.push(name);
    }
    if (found.length > 1)
        throw new InputError(`${input}: holds both ${found.join(" and ")}; name the file`);
    if (found.length === 1)
        return [await readJsonDocument(path.join(given, found[0]))];
    const runs = await findResultsDirectories(given);
    if (runs.length === 0)
        throw new InputError(`${input}: a directory without ${EVAL_SUMMARY_FILE} (eval results), ${COMPARE_REPORT_FILE} (a compare report) or ${COMPARISON_FILE} (one suite's comparison), in it or below`);
    return Promise.all(runs.map((dir) => readJsonDocument(path.join(dir, EVAL_SUMMARY_FILE))));
}
async function readJsonDocument(file) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile())
        throw new InputError(`${file}: no such file`);
    if (info.size > MAX_RESULT_BYTES)
        throw new InputError(`${file}: ${info.size} bytes is not a result document (at most ${MAX_RESULT_BYTES})`);
    const text = await readFile(file, "utf8");
    try {
        return { file, json: JSON.parse(text) };
    }
    catch (error) {
        throw new InputError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
}
/** Which kind a document is by its fields (undefined: none). */
function detectResultKind(json) {
    if (typeof json !== "object" || json === null || Array.isArray(json) || !("schemaVersion" in json))
        return undefined;
    const has = (key) => key in json;
    const array = (key) => Array.isArray(json[key]);
    if (has("suiteDigest"))
        return "eval";
    if (has("flips") && has("baseline"))
        return "comparison";
    // Both list environments: a monitoring pass says whether it is alerting, a status does not.
    if (array("environments"))
        return has("alerting") ? "monitor" : "status";
    if (array("suites"))
        return "compare-report";
    if (array("checks"))
        return "check";
    return undefined;
}
/** The document's kind, or exit 2 naming the file and what it can read. */
function requireResultKind(document) {
    const kind = detectResultKind(document.json);
    if (kind) {
        const version = document.json.schemaVersion;
        if (version !== 1)
            throw new InputError(`${document.file}: schemaVersion ${JSON.stringify(version)} is not supported (expected 1)`);
        return kind;
    }
    const known = Object.values(RESULT_KIND_DESCRIPTIONS).join(", ");
    throw new InputError(`${document.file}: not a result llmops metrics reads; expected one of: ${known}`);
}
/** `json` checked against `schema`; exit 2 naming the file, the kind and the first problems, on one line. */
function parseResult(schema, document, kind) {
    const parsed = schema.safeParse(document.json);
    if (parsed.success)
        return parsed.data;
    const problems = z.prettifyError(parsed.error).replace(/\s*\n\s*/g, "; ");
    throw new InputError(`${document.file}: not valid as ${RESULT_KIND_DESCRIPTIONS[kind]}: ${problems.slice(0, 500)}`);
}
function parseEvalSummary(document) {
    return parseResult(runSummarySchema, document, "eval");
}
function parseComparison(document) {
    return parseResult(comparisonSchema, document, "comparison");
}
/** A compare report's comparisons, read from its suite directories beside report.json. */
async function readCompareReport(document) {
    const report = parseResult(compareReportSchema, document, "compare-report");
    const dir = path.dirname(document.file);
    const comparisons = [];
    for (const entry of report.suites) {
        const file = path.join(dir, entry.directory, COMPARISON_FILE);
        const read = await readJsonDocument(file).catch((error) => {
            throw new InputError(`${document.file}: suite ${entry.suite}: ${error instanceof Error ? error.message : String(error)}`);
        });
        const comparison = parseComparison(read);
        if (comparison.suite !== entry.suite)
            throw new InputError(`${file}: is the comparison of suite ${comparison.suite}, but ${COMPARE_REPORT_FILE} lists it as ${entry.suite}`);
        comparisons.push(comparison);
    }
    return { report, comparisons };
}

;// CONCATENATED MODULE: ../../packages/operate/src/metrics/index.ts
// Metrics export: results as OpenMetrics / Prometheus text, and a Pushgateway client.














;// CONCATENATED MODULE: ../../packages/operate/src/monitor/alerts.ts

/** The header carrying `sha256=<hex>` of the body, HMAC-SHA256 with the secret (the same as promotion webhooks). */
const MONITOR_SIGNATURE_HEADER = (/* unused pure expression or super */ null && (SIGNATURE_HEADER));
/** Raises (alerting) or resolves (ok) the monitor's alert; `inconclusive` leaves it as it is. */
async function alerts_notifyMonitor(status, message, options) {
    const out = [];
    if (status === "inconclusive")
        return out;
    const issue = options.config.issue;
    const where = `${message.key.environment}/${message.key.suite}`;
    let issueAction;
    if (issue !== false) {
        if (!options.alerts) {
            if (status === "alerting") {
                issueAction = "skipped";
                out.push({ channel: "issue", action: "skipped", error: "no GitHub issues access (no token or repository)" });
            }
        }
        else {
            try {
                if (status === "alerting") {
                    const labels = typeof issue === "object" ? issue.labels : [];
                    const raised = await options.alerts.raise(message.key, { title: message.title, body: message.body, labels });
                    issueAction = raised.opened ? "opened" : "updated";
                    out.push({ channel: "issue", action: issueAction, target: raised.url });
                }
                else {
                    const resolved = await options.alerts.resolve(message.key, message.resolvedComment);
                    if (resolved) {
                        issueAction = "resolved";
                        out.push({ channel: "issue", action: "resolved", target: resolved.url });
                    }
                }
            }
            catch (error) {
                issueAction = "failed";
                out.push({ channel: "issue", action: "failed", error: oneLine(error) });
                options.logger.warn(`alert issue for ${where} not ${status === "alerting" ? "raised" : "closed"}: ${oneLine(error)}`);
            }
        }
    }
    const webhook = options.config.webhook;
    if (webhook) {
        // Once per opened alert and per recovery; every alerting run when no issue remembers that one is open.
        const tell = status === "alerting" ? issueAction !== "updated" : issueAction === "resolved";
        if (tell)
            out.push(await sendMonitorWebhook(webhookPayload(status, message), webhook, options));
    }
    return out;
}
/** Slack's `text` escaping (mrkdwn): only `&`, `<` and `>` are special. */
function slackEscape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
/** The webhook's JSON body: a Slack-compatible `text` plus the machine fields. */
function webhookPayload(status, message) {
    const headline = status === "alerting" ? message.title : `${message.title.replace(/:[^:]*$/, "")}: recovered`;
    const lines = [slackEscape(headline), ...(status === "alerting" ? message.reasons.map((r) => `• ${slackEscape(r)}`) : [])];
    if (message.runUrl)
        lines.push(slackEscape(message.runUrl));
    return {
        text: lines.join("\n"),
        event: status === "alerting" ? "monitor-alert" : "monitor-resolved",
        environment: message.key.environment,
        suite: message.key.suite,
        reasons: status === "alerting" ? message.reasons : [],
        ...(message.serving ? { serving: message.serving } : {}),
        ...(message.runUrl ? { runUrl: message.runUrl } : {}),
    };
}
/** POSTs the payload through core's signed notification (one home for signing, retries and redaction with promotion's). */
async function sendMonitorWebhook(payload, webhook, options) {
    const sent = await postNotification(payload, webhook, { ...options, where: "alert.webhook", userAgent: "llmops-monitor" });
    return { channel: "webhook", ...sent };
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/config.ts

/** The monitors of an environment, in file order. */
function config_monitorsOf(environment, config) {
    const field = config.monitor;
    if (field === undefined)
        return [];
    const base = ["environments", environment, "monitor"];
    const list = Array.isArray(field) ? field : [field];
    return list.map((monitor, i) => ({ key: monitorKey(monitor), config: monitor, at: Array.isArray(field) ? [...base, i] : base }));
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/serving.ts


/**
 * What serves an environment and on which evidence it got there, read from the store: the alias's
 * version, the promotion record (`application/vnd.llmops.promotion.v1+json`, whose contract is
 * @llmops/core's) that moved the alias to it, and the eval referrer that record names for the
 * monitored suite.
 */
/** The events that put a version in an environment (a roll-back to it included). */
const PLACING_EVENTS = (/* unused pure expression or super */ null && (["promoted", "rolled-back"]));
const placing = (event) => PLACING_EVENTS.some((e) => e === event);
/** The version `name:alias` names, with the promotion record that put it there; null when the alias does not exist. */
async function serving_servingVersion(store, target, logger) {
    const tags = await store.transport.listTags(store.repo(target.name));
    if (!tags.includes(target.alias))
        return null;
    const version = await store.resolve(`${target.name}:${target.alias}`);
    const records = await store.readEvidenceJson(version, {
        artifactType: PROMOTION_ARTIFACT_TYPE,
        file: PROMOTION_FILE,
        schema: promotionRecordSchema,
        maxBytes: PROMOTION_FILE_MAX_BYTES,
        what: "promotion record",
        match: (annotations) => annotations[ANNOTATION_ENVIRONMENT] === target.environment && placing(annotations[ANNOTATION_EVENT]),
        logger,
    });
    // The newest record that left the alias on this very digest is the promotion that placed what
    // serves: a `promoted` (or a canary's completion) or a `rolled-back` back to it. The other events
    // never moved the alias onto it (smoke results, refusals, a canary still running, a proposal),
    // and a record whose `to` is another digest describes an earlier or later placement of the alias.
    // The record's own fields decide: the annotations are only its writer's word.
    let newest;
    for (const { value: record } of records) {
        if (record.environment !== target.environment || !placing(record.event) || record.to !== version.digest)
            continue;
        if (!newest || record.at > newest.at)
            newest = record;
    }
    if (newest)
        version.promotion = { id: newest.id, evidence: new Map(newest.evidence.map((e) => [e.suite, e.digest])) };
    return version;
}
async function readEvalRun(store, version, digest) {
    const what = `eval evidence ${digest.slice(0, 19)} on ${version.name}`;
    const summaryBytes = await store.readEvidenceFile(version, digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES });
    const summary = parseSummary(new TextDecoder().decode(summaryBytes), `${what} ${SUMMARY_FILE}`);
    const results = summary.results.split("/").pop() ?? "results.jsonl";
    const resultsBytes = await store.readEvidenceFile(version, digest, results);
    return { summary, cases: parseResults(new TextDecoder().decode(resultsBytes), `${what} ${results}`) };
}
/**
 * The eval run of `suite` to compare the live endpoint with: the one the promotion record names
 * when it names one (complete), else the newest complete run of the suite recorded on the version.
 */
async function serving_baselineRun(store, version, suite, logger) {
    const named = version.promotion?.evidence.get(suite);
    if (named) {
        const run = await readEvalRun(store, version, named);
        if (run.summary.complete && run.summary.suite === suite)
            return { evidence: named, source: "promotion", promotion: version.promotion.id, ...run };
        logger.warn(`the promotion's evidence ${named.slice(0, 19)} for suite "${suite}" is not a complete run of it; looking for another`);
    }
    const listed = await store.listEvidence(version, EVAL_ARTIFACT_TYPE);
    for (const entry of listed) {
        if (entry.annotations["dev.llmops.suite"] !== suite || entry.digest === named)
            continue;
        const run = await readEvalRun(store, version, entry.digest);
        if (run.summary.complete && run.summary.suite === suite)
            return { evidence: entry.digest, source: "version", ...run };
    }
    return undefined;
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/quality.ts








/**
 * Checks a monitor's suite and provider; a ConfigError at their line when one is wrong. The
 * provider is checked as a smoke eval's is (`environmentProvider`): `env` is the process
 * environment its `{{env.NAME}}` will be rendered from.
 */
function quality_planQuality(loaded, environment, entry, env) {
    const suite = monitoredSuite(loaded, entry);
    if (!entry.config.provider)
        return { suite };
    const provider = environmentProvider(entry.config.provider, [...entry.at, "provider"], {
        environment,
        env,
        locate: (p) => loaded.doc.locate(p),
    });
    return { suite, provider };
}
/** The suite the monitor names, or a ConfigError at its `suite:`. */
function monitoredSuite(loaded, entry) {
    const name = entry.config.suite;
    const suite = loaded.config.suites.find((s) => s.name === name);
    if (suite)
        return suite;
    const path = [...entry.at, "suite"];
    throw new ConfigError(`expected a suite of this file; "${name}" is not one`, formatYamlPath(path), loaded.doc.locate(path));
}
/**
 * The compare settings for the live run: the config's, without the cost and latency budgets and
 * without gates on metrics the monitor does not watch (the evidence run may have been served
 * another way: its latency and cost say nothing about the model).
 */
function compareSettings(compare, watched) {
    if (!compare)
        return undefined;
    const { maxCostIncrease: _c, maxLatencyIncrease: _l, suites, gates, ...rest } = compare;
    const keep = (g) => (g ? Object.fromEntries(Object.entries(g).filter(([metric]) => watched(metric))) : undefined);
    const out = { ...rest };
    const kept = keep(gates);
    if (kept)
        out.gates = kept;
    if (suites) {
        out.suites = Object.fromEntries(Object.entries(suites).map(([name, { maxCostIncrease: _sc, maxLatencyIncrease: _sl, gates: suiteGates, ...other }]) => {
            const g = keep(suiteGates);
            return [name, g ? { ...other, gates: g } : other];
        }));
    }
    return out;
}
/** The suite as the monitor runs it: the monitor's provider, and the evidence's dataset version pinned. */
function transformFor(suiteName, provider, baseline, logger) {
    return (suite) => {
        if (suite.name !== suiteName)
            return suite;
        let out = suite;
        if (provider) {
            const { providers: _, ...rest } = out;
            out = { ...rest, provider };
        }
        const pinned = baseline?.summary.dataset;
        const from = out.casesFrom;
        if (pinned && typeof from === "object" && from.dataset !== undefined) {
            const configured = parseRef(from.dataset).name;
            const evidenced = parseRef(pinned.ref).name;
            if (configured === evidenced)
                out = { ...out, casesFrom: { ...from, dataset: `${configured}@${pinned.digest}` } };
            else
                logger.warn(`suite "${suiteName}" now reads dataset ${configured}, the evidence ${evidenced}: cases are matched by id only`);
        }
        return out;
    };
}
const EMPTY = { matched: 0, added: 0, removed: 0, changed: 0, metrics: [], regressions: [], failedGates: [], errors: 0 };
/** Runs the monitoring suite against the live endpoint and judges it against the promotion's evidence. */
async function quality_runQuality(options) {
    const { loaded, logger, monitor: entry } = options;
    const { suite, provider } = options.plan;
    if (!options.serving) {
        return { suite: suite.name, verdict: "skipped", ...EMPTY, reason: `nothing serves ${options.environment.name}` };
    }
    const serving = options.serving;
    const baseline = await baselineRun(options.store, serving, suite.name, logger);
    const out = options.out ?? (await mkdtemp(join(tmpdir(), "llmops-monitor-run-")));
    const timeout = AbortSignal.timeout(entry.config.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
        const run = await evaluate({
            ...(options.configFile !== undefined ? { config: options.configFile } : {}),
            cwd: options.cwd,
            env: options.env,
            logger,
            suites: [suite.name],
            model: `${serving.name}@${serving.digest}`,
            record: false,
            openStore: () => options.store,
            out,
            // The live endpoint must answer: a cached response proves nothing.
            cache: false,
            transformSuite: transformFor(suite.name, provider, baseline, logger),
            signal,
        });
        const outcome = run.suites[0];
        const base = {
            suite: suite.name,
            ...EMPTY,
            ...(baseline
                ? {
                    baseline: {
                        evidence: baseline.evidence,
                        source: baseline.source,
                        ...(baseline.promotion ? { promotion: baseline.promotion } : {}),
                        finishedAt: baseline.summary.finishedAt,
                        ...(baseline.summary.dataset ? { dataset: baseline.summary.dataset } : {}),
                    },
                }
                : {}),
            ...(options.out ? { resultsDir: outcome ? dirname(outcome.summaryPath) : out } : {}),
        };
        if (!outcome || run.interrupted || !outcome.complete) {
            const why = timeout.aborted ? `did not finish within ${entry.config.timeoutMs} ms` : "was interrupted";
            return { ...base, verdict: "error", reason: `the run against the live endpoint ${why}` };
        }
        const head = await readRunResults(dirname(outcome.summaryPath));
        const firstError = head.cases.find((c) => c.error)?.error;
        const errors = head.summary.errors;
        const withErrors = {
            ...base,
            errors,
            // The endpoint's own words, which may echo the request (user text, a header): redacted as
            // `llmops check` shows found values, before they reach a possibly public issue.
            ...(firstError ? { firstError: shown(oneLine(firstError), 300) } : {}),
        };
        if (!baseline) {
            logger.warn(`${options.environment.name}: no complete eval run of suite "${suite.name}" is recorded on the serving version; the live run is judged by its gates only`);
            const failedGates = head.summary.gates.filter((g) => !g.passed).map((g) => g.description);
            return {
                ...withErrors,
                verdict: failedGates.length > 0 ? "regression" : "no-baseline",
                failedGates,
                reason: `no complete eval run of suite "${suite.name}" is recorded on ${serving.name}@${serving.digest.slice(0, 19)}…`,
            };
        }
        const watchedNames = entry.config.metrics ? new Set(entry.config.metrics) : undefined;
        const watched = (metric) => watchedNames ? watchedNames.has(metric) : !MONITOR_UNCOMPARED_METRICS.includes(metric);
        const comparison = compareRuns({
            head: { summary: head.summary, cases: head.cases },
            baseline: { summary: baseline.summary, cases: baseline.cases },
            ...(compareSettings(loaded.config.compare, watched) ? { config: compareSettings(loaded.config.compare, watched) } : {}),
            baselineInfo: {
                source: "alias",
                description: `the evidence of ${serving.name}@${serving.digest.slice(0, 19)}…`,
                digest: serving.digest,
            },
            logger,
        });
        for (const name of watchedNames ?? [])
            if (!comparison.metrics.some((m) => m.name === name))
                logger.warn(`monitor metric "${name}" is not a metric of suite "${suite.name}"`);
        const metrics = comparison.metrics.map((m) => ({
            name: m.name,
            baseline: m.baseline,
            head: m.head,
            delta: m.delta,
            n: m.n,
            test: m.test,
            pValue: m.pValue,
            pAdjusted: m.pAdjusted,
            verdict: m.verdict,
            watched: watched(m.name),
        }));
        const regressions = metrics.filter((m) => m.watched && m.verdict === "significant regression").map((m) => m.name);
        const failedGates = comparison.gates.filter((g) => !g.passed).map((g) => g.description);
        return {
            ...withErrors,
            verdict: regressions.length > 0 || failedGates.length > 0 ? "regression" : "ok",
            matched: comparison.matched,
            added: comparison.added.length,
            removed: comparison.removed.length,
            changed: comparison.changed.length,
            metrics,
            regressions,
            failedGates,
        };
    }
    finally {
        if (!options.out)
            await rm(out, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/render.ts


/**
 * The monitor's words: plain text for terminals, Markdown for the alert issue and the job summary.
 * Names, values and errors come from the config, the store, production samples and the live
 * endpoint: in Markdown every one of them goes through escapeInline or codeSpan.
 */
const pText = (p) => (p === undefined ? "" : p < 1e-4 ? p.toExponential(1) : formatNumber(p));
/** A link only for an http(s) URL with nothing Markdown could misread; anything else is escaped text. */
function markdownLink(text, url) {
    if (!url)
        return undefined;
    return /^https?:\/\/[^\s()<>[\]"'`]+$/.test(url) ? `[${escapeInline(text)}](${url})` : escapeInline(url);
}
/** `production/sentiment: quality regression and input drift`, for the issue title. */
function render_alertTitle(environment, outcome) {
    const parts = [];
    if (outcome.quality?.verdict === "regression")
        parts.push("quality regression");
    if (outcome.quality?.verdict === "error")
        parts.push("monitoring run incomplete");
    if (outcome.drift?.verdict === "drift")
        parts.push("input drift");
    return `llmops monitor: ${environment}/${outcome.key}: ${parts.join(" and ") || "alert"}`;
}
/** Why a monitor alerts, one line each (plain text: escaped where shown). */
function render_alertReasons(outcome) {
    const reasons = [];
    const q = outcome.quality;
    if (q?.verdict === "regression") {
        for (const name of q.regressions) {
            const m = q.metrics.find((x) => x.name === name);
            reasons.push(`quality: ${name} ${formatNumber(m.baseline)} → ${formatNumber(m.head)} (${formatSigned(m.delta)}), significant regression, p = ${pText(m.pAdjusted)} after Holm`);
        }
        for (const gate of q.failedGates)
            reasons.push(`quality: gate failed: ${gate}`);
    }
    if (q?.verdict === "error")
        reasons.push(`quality: ${q.reason ?? "the run did not complete"}`);
    for (const feature of outcome.drift?.features ?? [])
        for (const reason of feature.reasons)
            reasons.push(`drift in ${feature.field}: ${reason}`);
    return reasons;
}
function testCell(t) {
    if (!t)
        return "";
    const mark = t.exceeded ? " ⚠" : "";
    if (t.test === "psi")
        return `${formatNumber(t.statistic)}${mark}`;
    if (t.test === "oov")
        return `${formatNumber(t.statistic * 100)}% (expected ${formatNumber((t.expected ?? 0) * 100)}%)${mark}`;
    return `${formatNumber(t.statistic)}, p = ${pText(t.pValue)}${mark}`;
}
const find = (f, test, of) => f.tests.find((t) => t.test === test && t.of === of);
function qualityMarkdown(q) {
    const lines = [`### Quality: suite ${codeSpan(q.suite)} — ${escapeInline(q.verdict)}`, ""];
    if (q.reason)
        lines.push(escapeInline(q.reason), "");
    if (q.baseline) {
        lines.push(`Compared with eval evidence ${codeSpan(q.baseline.evidence)} (${q.baseline.source === "promotion" ? "named by the promotion" : "the newest on the version"}, ${escapeInline(q.baseline.finishedAt)}), ${q.matched} cases paired.`, "");
    }
    if (q.metrics.length > 0) {
        lines.push("| metric | promoted | live | delta | p (Holm) | verdict |", "| --- | ---: | ---: | ---: | ---: | --- |");
        for (const m of q.metrics) {
            const name = `${escapeInline(m.name)}${m.watched ? "" : " (not watched)"}`;
            lines.push(`| ${name} | ${formatNumber(m.baseline)} | ${formatNumber(m.head)} | ${formatSigned(m.delta)} | ${pText(m.pAdjusted)} | ${escapeInline(m.verdict)} |`);
        }
        lines.push("");
    }
    for (const gate of q.failedGates)
        lines.push(`- Gate failed: ${escapeInline(gate)}`);
    if (q.errors > 0)
        lines.push(`- ${q.errors} case errors${q.firstError ? `; first: ${codeSpan(q.firstError)}` : ""}`);
    if (q.failedGates.length > 0 || q.errors > 0)
        lines.push("");
    return lines;
}
function driftMarkdown(d) {
    const source = (s) => `${codeSpan(s.source)} (${s.records} records${s.skipped ? `, ${s.skipped} skipped` : ""}${s.truncated ? ", truncated" : ""})`;
    const lines = [
        `### Data drift — ${escapeInline(d.verdict)}`,
        "",
        `Sample ${source(d.sample)} against reference ${source(d.reference)}.`,
        "",
        "| feature | type | PSI | KS / chi-square | OOV | languages | verdict |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ];
    for (const f of d.features) {
        const aspect = f.type === "text" ? "length" : f.type === "categorical" ? "category" : "value";
        const test = f.type === "categorical" ? find(f, "chi-square", "category") : find(f, "ks", aspect);
        const languages = f.type === "text" ? testCell(find(f, "chi-square", "language")) : "";
        lines.push(`| ${codeSpan(f.field, { inTable: true })} | ${f.type}${f.type === "text" ? " (length)" : ""} | ${testCell(find(f, "psi", aspect))} | ${testCell(test)} | ${testCell(find(f, "oov", "vocabulary"))} | ${languages} | ${f.verdict} |`);
    }
    lines.push("");
    for (const f of d.features) {
        for (const reason of f.reasons)
            lines.push(`- ${codeSpan(f.field)}: ${escapeInline(reason)}`);
        if (f.verdict === "drift" && f.shares && f.shares.length > 0) {
            const shares = f.shares
                .slice(0, 5)
                .map((s) => `${codeSpan(s.value)} ${formatNumber(s.reference * 100)}% → ${formatNumber(s.sample * 100)}%`)
                .join(", ");
            lines.push(`  - shares: ${shares}`);
        }
        for (const note of f.notes ?? [])
            lines.push(`- ${codeSpan(f.field)}: ${escapeInline(note)}`);
    }
    lines.push("");
    return lines;
}
/** The Markdown of one monitor: the issue body, and its part of the job summary. */
function render_monitorMarkdown(environment, outcome, runUrl) {
    const serving = environment.serving
        ? `${escapeInline(environment.artifact ?? "")} ${environment.serving.version ? `${escapeInline(environment.serving.version)} ` : ""}${codeSpan(environment.serving.digest)}`
        : "nothing";
    const lines = [`**${escapeInline(render_alertTitle(environment.environment, outcome).replace(/^llmops monitor: /, ""))}**`, ""];
    lines.push(`- Environment: ${escapeInline(environment.environment)}${environment.url ? ` (${escapeInline(environment.url)})` : ""}`);
    lines.push(`- Serving: ${serving}`);
    lines.push(`- Monitor: ${codeSpan(outcome.key)}`);
    const run = markdownLink("workflow run", runUrl);
    if (run)
        lines.push(`- Run: ${run}`);
    lines.push("");
    const reasons = outcome.alert.reasons;
    if (reasons.length > 0) {
        lines.push("### Why", "");
        for (const reason of reasons)
            lines.push(`- ${escapeInline(reason)}`);
        lines.push("");
    }
    if (outcome.quality)
        lines.push(...qualityMarkdown(outcome.quality));
    if (outcome.drift)
        lines.push(...driftMarkdown(outcome.drift));
    return lines.join("\n");
}
/** Every environment's monitors in Markdown: the job summary. */
function monitorSummaryMarkdown(result) {
    const lines = ["## llmops monitor", ""];
    if (result.environments.length === 0)
        lines.push("No environment has a `monitor:` section.", "");
    for (const env of result.environments) {
        for (const outcome of env.monitors) {
            lines.push(`<details${outcome.alert.status === "alerting" ? " open" : ""}>`);
            lines.push(`<summary>${escapeInline(`${env.environment}/${outcome.key}`)}: ${outcome.alert.status}</summary>`, "");
            lines.push(render_monitorMarkdown(env, outcome, result.runUrl), "</details>", "");
        }
    }
    return lines.join("\n");
}
/** Plain text for terminals (`llmops monitor` without --json). */
function describeMonitor(result) {
    const lines = [];
    if (result.environments.length === 0)
        lines.push("no environment has a monitor: section");
    for (const env of result.environments) {
        const serving = env.serving ? `${env.artifact ?? ""} ${env.serving.version ?? env.serving.digest.slice(0, 19)}` : "nothing";
        lines.push(`${env.environment}: serving ${serving}`);
        for (const outcome of env.monitors) {
            lines.push(`  ${outcome.key}: ${outcome.alert.status}`);
            const q = outcome.quality;
            if (q) {
                lines.push(`    quality (suite ${q.suite}): ${q.verdict}${q.reason ? ` — ${q.reason}` : ""}`);
                for (const m of q.metrics.filter((x) => x.watched)) {
                    lines.push(`      ${m.name}: ${formatNumber(m.baseline)} → ${formatNumber(m.head)} (${formatSigned(m.delta)}, p = ${pText(m.pAdjusted)}) ${m.verdict}`);
                }
                for (const gate of q.failedGates)
                    lines.push(`      gate failed: ${gate}`);
            }
            const d = outcome.drift;
            if (d) {
                lines.push(`    drift (${d.sample.records} sample vs ${d.reference.records} reference records): ${d.verdict}`);
                for (const f of d.features) {
                    lines.push(`      ${f.field} (${f.type}): ${f.verdict}${f.psi !== undefined ? `, PSI ${formatNumber(f.psi)}` : ""}`);
                    for (const reason of f.reasons)
                        lines.push(`        ${reason}`);
                }
            }
            for (const n of outcome.alert.notifications)
                lines.push(`    ${n.channel}: ${n.action}${n.target ? ` ${n.target}` : ""}${n.error ? ` (${n.error})` : ""}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/sources.ts







/**
 * Where a monitor's sample and reference records come from: a file relative to llmops.yaml, or a
 * file of a dataset version in the store (fetched, digest-verified, into a temporary directory
 * that `close()` removes). A dataset version fetched once serves every monitor that names it.
 */
class sources_SourceResolver {
    #store;
    #configDir;
    #cwd;
    #fetched = new Map();
    #temps = [];
    constructor(options) {
        this.#store = options.store;
        this.#configDir = options.configDir;
        this.#cwd = options.cwd;
    }
    /** The source `config` names (`what` labels errors: `sample`, `reference`). */
    async resolve(config, what) {
        const spec = typeof config === "string" ? { file: config } : config;
        if (spec.dataset === undefined)
            return this.#file(resolve(this.#configDir, spec.file), spec.file, spec.format, what);
        return this.#dataset(spec.dataset, spec.file, spec.format, what);
    }
    /**
     * `--sample` / the `sample` input: a file (relative to the working directory) when one exists
     * there, else a dataset ref (`name:alias`, `name:vN`, `name@sha256:…`: the version named explicitly); its file is `file` of the
     * monitor's configured dataset sample, else the version's only data file.
     */
    async resolveOverride(value, configured) {
        const path = resolve(this.#cwd, value);
        if (existsSync(path))
            return this.#file(path, value, undefined, "sample");
        // A ref names its version explicitly (`:` or `@`): `traffic.jsonl` alone is a missing file, not `traffic.jsonl:latest`.
        let ref = false;
        try {
            ref = /[:@]/.test(value) && parseRef(value) !== undefined;
        }
        catch {
            ref = false;
        }
        if (!ref)
            throw new InputError(`sample ${value}: is neither a file nor a dataset ref (name:alias, name:vN, name@sha256:…)`);
        const file = typeof configured === "object" && configured.dataset !== undefined ? configured.file : undefined;
        return this.#dataset(value, file, typeof configured === "object" ? configured.format : undefined, "sample");
    }
    #file(path, display, format, what) {
        if (!existsSync(path))
            throw new InputError(`${what} ${display}: does not exist`);
        if (!statSync(path).isFile())
            throw new InputError(`${what} ${display}: is not a file`);
        return { path, display, format };
    }
    async #dataset(ref, file, format, what) {
        let fetched = this.#fetched.get(ref);
        if (!fetched) {
            fetched = (async () => {
                const dir = await mkdtemp(join(tmpdir(), "llmops-monitor-"));
                this.#temps.push(dir);
                const result = await this.#store().fetch(ref, dir);
                return {
                    digest: result.digest,
                    ...(result.version ? { version: result.version } : {}),
                    path: result.path,
                    files: result.files.map((f) => f.title),
                };
            })();
            this.#fetched.set(ref, fetched);
        }
        const version = await fetched;
        const name = parseRef(ref).name;
        let title = file;
        if (title === undefined) {
            const data = version.files.filter((f) => recordFormat(f) !== undefined);
            if (data.length !== 1) {
                throw new InputError(`${what} ${ref}: the version holds ${data.length === 0 ? "no .jsonl, .json or .csv file" : `${data.length} data files (${data.slice(0, 5).join(", ")})`}; name one with file:`);
            }
            title = data[0];
        }
        else if (!version.files.includes(title)) {
            throw new InputError(`${what} ${ref}: the version has no file ${title}`);
        }
        const path = resolve(version.path, title);
        const inside = relative(version.path, path);
        if (inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside))
            throw new InputError(`${what} ${ref}: ${title} is outside the version`);
        return { path, display: `${name}@${version.digest.slice(0, 19)}…/${title}`, format, digest: version.digest };
    }
    /** Removes the fetched dataset versions. */
    async close() {
        await Promise.all(this.#temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    }
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/monitor.ts









function selectEnvironments(loaded, options) {
    const environments = loaded.config.environments;
    const withMonitor = Object.keys(environments).filter((name) => environments[name].monitor !== undefined);
    if (options.environment !== undefined) {
        if (!Object.hasOwn(environments, options.environment)) {
            const known = Object.keys(environments);
            throw new UsageError(`unknown environment "${options.environment}"; llmops.yaml has ${known.length > 0 ? known.join(", ") : "no environments: section"}`);
        }
        if (!withMonitor.includes(options.environment))
            throw new UsageError(`environment ${options.environment} has no monitor: section; add environments.${options.environment}.monitor`);
        return [options.environment];
    }
    if (withMonitor.length === 0)
        throw new UsageError("no environment of llmops.yaml has a monitor: section");
    return withMonitor;
}
/** A path segment from a name (environment and suite names are already safe; this keeps it so). */
const monitor_segment = (name) => name.replace(/[^A-Za-z0-9._-]/g, "_");
function alertStatus(quality, drift) {
    if (quality?.verdict === "regression" || quality?.verdict === "error" || drift?.verdict === "drift")
        return "alerting";
    if ((quality === undefined || quality.verdict === "ok") && (drift === undefined || drift.verdict === "ok"))
        return "ok";
    return "inconclusive";
}
/** Runs every selected monitor. */
async function monitor(options) {
    const { logger } = options;
    const loaded = await loadConfig(options.config, { cwd: options.cwd });
    const names = selectEnvironments(loaded, options);
    const entries = names.map((name) => ({ name, monitors: monitorsOf(name, loaded.config.environments[name]) }));
    if (options.sample !== undefined && !entries.some((e) => e.monitors.some((m) => m.config.features.length > 0)))
        throw new UsageError("--sample: no selected monitor has features to compare");
    // Every config error before anything runs: the suites and providers of every selected monitor.
    const plans = new Map();
    for (const { name, monitors } of entries) {
        const url = loaded.config.environments[name].url;
        for (const entry of monitors)
            if (entry.config.suite !== undefined)
                plans.set(entry, planQuality(loaded, { name, url }, entry, options.env));
    }
    const sources = new SourceResolver({ store: () => options.store, configDir: loaded.dir, cwd: options.cwd });
    const environments = [];
    try {
        for (const { name, monitors } of entries) {
            const config = loaded.config.environments[name];
            const alias = config.alias ?? name;
            const artifact = environmentArtifact(loaded.config, name);
            if (artifact === undefined && monitors.some((m) => m.config.suite !== undefined)) {
                throw new UsageError(`environment ${name}: cannot tell which artifact it serves; set environments.${name}.artifact (or declare exactly one model in artifacts:)`);
            }
            const serving = artifact ? await servingVersion(options.store, { name: artifact, alias, environment: name }, logger) : null;
            if (artifact && !serving)
                logger.warn(`${name}: ${artifact}:${alias} does not exist; nothing serves the environment yet`);
            const result = {
                environment: name,
                ...(artifact ? { artifact } : {}),
                alias,
                ...(config.url ? { url: config.url } : {}),
                serving: serving ? { digest: serving.digest, ...(serving.version ? { version: serving.version } : {}) } : null,
                monitors: [],
            };
            for (const entry of monitors) {
                logger.info(`monitoring ${name}/${entry.key}`);
                const outcome = await runMonitor(options, loaded, sources, { name, url: config.url }, entry, plans.get(entry), serving);
                result.monitors.push(outcome);
                if (options.signal?.aborted) {
                    // A run stopped half-way judged nothing: it must neither raise nor close an alert.
                    outcome.alert = { status: "inconclusive", reasons: ["the monitoring run was interrupted"], notifications: [] };
                    break;
                }
                const reasons = outcome.alert.reasons;
                outcome.alert.notifications = await notifyMonitor(outcome.alert.status, {
                    key: { environment: name, suite: entry.key },
                    title: alertTitle(name, outcome),
                    body: `${monitorMarkdown(result, outcome, options.runUrl)}\n_This issue is updated while the problem lasts and closed by the first monitoring run that finds it gone._\n`,
                    reasons,
                    resolvedComment: `Recovered: this monitoring run found no significant regression and no drift${options.runUrl ? ` (${options.runUrl})` : ""}.`,
                    serving: serving ? `${serving.name}@${serving.digest}` : undefined,
                    runUrl: options.runUrl,
                }, { config: entry.config.alert, alerts: options.alerts, env: options.env, logger });
                logger.info(`${name}/${entry.key}: ${outcome.alert.status}${reasons.length > 0 ? ` (${reasons.length} reasons)` : ""}`);
            }
            environments.push(result);
            if (options.signal?.aborted)
                break;
        }
    }
    finally {
        await sources.close();
    }
    const outcomes = environments.flatMap((e) => e.monitors);
    const alerting = outcomes.some((o) => o.alert.status === "alerting");
    const undelivered = outcomes.some((o) => o.alert.notifications.some((n) => n.action === "failed"));
    return {
        schemaVersion: 1,
        exitCode: undelivered ? 3 : alerting ? 1 : 0,
        alerting,
        environments,
        ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    };
}
async function runMonitor(options, loaded, resolver, environment, entry, plan, serving) {
    const { config } = entry;
    // Sources first: a missing sample is bad input, found before minutes of calls to the live endpoint.
    let sources;
    if (config.features.length > 0) {
        const sample = options.sample !== undefined
            ? await resolver.resolveOverride(options.sample, config.sample)
            : await resolver.resolve(config.sample, "sample");
        sources = { sample, reference: await resolver.resolve(config.reference, "reference") };
    }
    const quality = plan !== undefined
        ? await runQuality({
            plan,
            loaded,
            configFile: options.config,
            cwd: options.cwd,
            env: options.env,
            logger: options.logger,
            store: options.store,
            environment,
            monitor: entry,
            serving,
            ...(options.out ? { out: join(options.out, monitor_segment(environment.name), monitor_segment(entry.key)) } : {}),
            signal: options.signal,
        })
        : undefined;
    const drift = sources
        ? await analyzeDrift({ ...sources, features: config.features, thresholds: config.thresholds, maxRecords: config.maxRecords })
        : undefined;
    const outcome = {
        key: entry.key,
        ...(quality ? { quality } : {}),
        ...(drift ? { drift } : {}),
        alert: { status: alertStatus(quality, drift), reasons: [], notifications: [] },
    };
    outcome.alert.reasons = alertReasons(outcome);
    return outcome;
}

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/result.ts



/**
 * The document `llmops monitor --json` prints and actions/monitor's `result` output holds: per
 * environment, per monitor (keyed by its suite, else `drift`), the quality verdict with its
 * numbers, the drift of every feature, and what happened to the alert. Changing a field here
 * changes the machine interface.
 */
const metricCheckSchema = schemas.strictObject({
    name: schemas.string(),
    /** Value in the promotion's evidence run and in this run against the live endpoint. */
    baseline: schemas.number(),
    head: schemas.number(),
    delta: schemas.number(),
    /** Cases with a value on both sides. */
    n: schemas.number().int().nonnegative(),
    test: schemas["enum"](["mcnemar-exact", "paired-bootstrap", "none"]),
    pValue: schemas.number(),
    /** Holm-adjusted across the compared metrics. */
    pAdjusted: schemas.number(),
    verdict: src/* verdictSchema */.$DC,
    /** Counts for the alert (`metrics:` of the monitor; default all but latency_ms, cost, tokens). */
    watched: schemas.boolean(),
});
const qualityResultSchema = schemas.strictObject({
    suite: schemas.string(),
    /**
     * `regression`: a watched metric regressed significantly, or a gate failed; `error`: the run
     * against the live endpoint did not complete (timeout, interruption); `no-baseline`: no eval
     * evidence of the suite on the serving version; `skipped`: nothing serves the environment.
     */
    verdict: schemas["enum"](["ok", "regression", "error", "no-baseline", "skipped"]),
    /** The eval evidence compared with: the run recorded for the promotion of the serving version. */
    baseline: schemas.strictObject({
        /** Digest of the eval referrer. */
        evidence: src/* digestSchema */.erv,
        /** `promotion`: named by the promotion record that put the version in the environment; `version`: the newest eval run of the suite on the version. */
        source: schemas["enum"](["promotion", "version"]),
        /** The promotion's id, with source `promotion`. */
        promotion: schemas.string().optional(),
        finishedAt: schemas.string(),
        /** The dataset version both runs used, when the suite reads its cases from one. */
        dataset: schemas.strictObject({ ref: schemas.string(), digest: src/* digestSchema */.erv }).optional(),
    })
        .optional(),
    /** Cases paired by id, and those on one side only or changed. */
    matched: schemas.number().int().nonnegative(),
    added: schemas.number().int().nonnegative(),
    removed: schemas.number().int().nonnegative(),
    changed: schemas.number().int().nonnegative(),
    metrics: schemas.array(metricCheckSchema),
    /** Watched metrics with a significant regression. */
    regressions: schemas.array(schemas.string()),
    /** Failed gates: the suite's own, and compare's regression gates. */
    failedGates: schemas.array(schemas.string()),
    /** The live run's case errors and the first one (clipped: the endpoint chose its text). */
    errors: schemas.number().int().nonnegative(),
    firstError: schemas.string().optional(),
    /** Why it could not be judged (error, no-baseline, skipped). */
    reason: schemas.string().optional(),
    /** The live run's results directory, when kept (`--out`). */
    resultsDir: schemas.string().optional(),
});
const NOTIFICATION_ACTIONS = ["opened", "updated", "resolved", "sent", "skipped", "failed"];
const monitorNotificationSchema = schemas.strictObject({
    channel: schemas["enum"](["issue", "webhook"]),
    action: schemas["enum"](NOTIFICATION_ACTIONS),
    /** The issue's URL, or the webhook's origin (never its path or query: they may hold a token). */
    target: schemas.string().optional(),
    error: schemas.string().optional(),
});
const monitorAlertStateSchema = schemas.strictObject({
    /**
     * `alerting`: a significant regression, a failed gate, an incomplete run or drift; `ok`:
     * everything configured was judged and passed (an open alert is closed); `inconclusive`: some
     * part could not be judged (no baseline, too few values), so an open alert stays as it is.
     */
    status: schemas["enum"](["alerting", "ok", "inconclusive"]),
    /** One line each: what is wrong. */
    reasons: schemas.array(schemas.string()),
    notifications: schemas.array(monitorNotificationSchema),
});
const monitorOutcomeSchema = schemas.strictObject({
    /** The alert key within the environment: the monitor's suite, else `drift`. */
    key: schemas.string(),
    quality: qualityResultSchema.optional(),
    drift: driftResultSchema.optional(),
    alert: monitorAlertStateSchema,
});
const environmentMonitorSchema = schemas.strictObject({
    environment: schemas.string(),
    /** The model the environment serves and the alias naming it. */
    artifact: schemas.string().optional(),
    alias: schemas.string(),
    url: schemas.string().optional(),
    /** What the alias pointed at during this run; null when nothing serves the environment. */
    serving: schemas.strictObject({ digest: src/* digestSchema */.erv, version: schemas.string().optional() }).nullable(),
    monitors: schemas.array(monitorOutcomeSchema),
});
const monitorResultSchema = schemas.strictObject({
    schemaVersion: schemas.literal(1),
    /** 0 nothing alerting, 1 an alert is raised or open (a verdict), 3 an alert could not be delivered. */
    exitCode: schemas.union([schemas.literal(0), schemas.literal(1), schemas.literal(3)]),
    /** Some monitor is alerting. */
    alerting: schemas.boolean(),
    environments: schemas.array(environmentMonitorSchema),
    /** The workflow run that monitored, when known. */
    runUrl: schemas.string().optional(),
});

;// CONCATENATED MODULE: ../../packages/operate/src/monitor/index.ts
// Monitoring: the quality of a serving environment against the evidence it was promoted on, data
// drift of its production inputs, and the alert issue per environment and monitor.









;// CONCATENATED MODULE: ../../packages/operate/src/index.ts
// @llmops/operate: dataset checks, feedback ingest, monitoring and drift, metrics export.







/***/ })

};
