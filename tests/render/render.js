// render.js - Markdown on stdin to HTML on stdout, as a CommonMark + GFM
// renderer shows a pull-request comment: markdown-it (CommonMark, with GFM
// tables and strikethrough), raw HTML passed through as GitHub passes
// <details>, <summary> and comments, so a <script> that the report failed to
// escape would reach the output. Used by tests/e2e/test_render_*.sh.
'use strict';
const MarkdownIt = require('markdown-it');
const md = new MarkdownIt({ html: true, linkify: true });
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  process.stdout.write(md.render(Buffer.concat(chunks).toString('utf8')));
});
