// The referral form: shows the emergency panel as soon as "suicide risk" is ticked. The server
// acts the same way when the form is sent (nothing is recorded); this only warns sooner.
(function () {
  var box = document.getElementById("id_suicide_risk");
  var panel = document.getElementById("suicide-risk-warning");
  if (!box || !panel) {
    return;
  }
  function sync() {
    panel.hidden = !box.checked;
  }
  box.addEventListener("change", sync);
  sync();
})();
