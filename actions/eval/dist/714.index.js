export const id = 714;
export const ids = [714];
export const modules = {

/***/ 714:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadArtifactFile: () => (/* binding */ uploadArtifactFile),
/* harmony export */   uploadArtifactFiles: () => (/* binding */ uploadArtifactFiles),
/* harmony export */   uploadResults: () => (/* binding */ uploadResults)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(11232);
/* harmony import */ var _llmops_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(17192);




async function listFilesRecursive(dir) {
    const entries = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readdir)(dir, { withFileTypes: true, recursive: true });
    return entries
        .filter((e) => e.isFile())
        .map((e) => (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(e.parentPath, e.name))
        .sort();
}
/**
 * Uploads files (paths below `root`, which becomes the artifact's root) as a workflow artifact:
 * the one place this package talks to the artifact service. Returns the artifact id.
 */
async function uploadArtifactFiles(options) {
    try {
        const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_2__/* .DefaultArtifactClient */ .t9();
        const response = await client.uploadArtifact(options.name, options.files, options.root, {
            ...(options.skipArchive ? { skipArchive: true } : {}),
            ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
        });
        return { id: response.id, size: response.size, files: options.files.length };
    }
    catch (error) {
        throw new _llmops_core__WEBPACK_IMPORTED_MODULE_3__/* .ExternalError */ .yAX(`upload-results: uploading artifact ${options.name} failed: ${(0,_llmops_core__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TNj)(error)}`);
    }
}
/**
 * Uploads one file as it is, not zipped, as a workflow artifact named after the file (the artifact
 * service's rule for unarchived uploads): downloading it gives the file itself. Returns the id.
 */
async function uploadArtifactFile(options) {
    return uploadArtifactFiles({
        ...options,
        name: (0,node_path__WEBPACK_IMPORTED_MODULE_1__.basename)(options.file),
        files: [options.file],
        root: (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(options.file),
        skipArchive: true,
    });
}
/**
 * Uploads an eval output directory as a workflow artifact (for the compare job, the fork-safe
 * report flow and `llmops eval merge` of shards). Returns the artifact id.
 */
async function uploadResults(options) {
    const files = await listFilesRecursive(options.dir);
    if (files.length === 0)
        throw new _llmops_core__WEBPACK_IMPORTED_MODULE_3__/* .ExternalError */ .yAX(`upload-results: ${options.dir} holds no files`);
    return uploadArtifactFiles({
        name: options.name,
        files,
        root: options.dir,
        ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
    });
}


/***/ })

};
