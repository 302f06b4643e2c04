/* A "Print" button: <button type="button" data-print>. Badges, seat codes, a citizen's receipt.
 * A file, not onclick="…": the Content-Security-Policy runs no inline script. */
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
