// Voter-contact meeting form: add petition blocks; show only the chosen group's delegates.
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) return;
  var blocks = document.getElementById("petition-blocks");
  var template = document.getElementById("petition-template");
  var add = document.getElementById("add-petition");
  add.hidden = false;
  if (add.nextElementSibling) add.nextElementSibling.hidden = true;
  add.addEventListener("click", function () {
    var used = Array.prototype.map.call(blocks.querySelectorAll(".petition-block"), function (b) {
      return parseInt(b.dataset.index, 10) || 0;
    });
    var i = used.length ? Math.max.apply(null, used) + 1 : 0;
    var html = template.innerHTML.split("__i__").join(String(i)).split("__n__").join(String(used.length + 1));
    blocks.insertAdjacentHTML("beforeend", html);
    var input = blocks.lastElementChild.querySelector("input[type=text]");
    if (input) input.focus();
  });
  var group = document.getElementById("id_delegate_group");
  function showGroup() {
    form.querySelectorAll(".delegate-group").forEach(function (box) {
      var mine = box.dataset.group === group.value;
      box.hidden = !mine;
      if (!mine) box.querySelectorAll("input").forEach(function (c) { c.checked = false; });
    });
  }
  if (group) { group.addEventListener("change", showGroup); showGroup(); }
})();
