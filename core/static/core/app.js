// Small helpers that the content security policy allows (no inline script anywhere).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); event.stopPropagation(); }
  var closer = event.target.closest ? event.target.closest("[data-close-modal]") : null;
  if (closer) { var root = document.getElementById("modal-root"); if (root) { root.innerHTML = ""; } }
}, true);
// A modal closes with Esc or a click on its backdrop, as well as with × and 取消.
function closeModal() { var root = document.getElementById("modal-root"); if (root) { root.innerHTML = ""; } }
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape" && document.querySelector("#modal-root .modal-backdrop")) { closeModal(); }
});
document.addEventListener("mousedown", function (event) {
  if (event.target.classList && event.target.classList.contains("modal-backdrop")) { closeModal(); }
});
