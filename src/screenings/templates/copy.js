// The one script of the pages (allowed by its hash): a Copy button beside each
// calendar address. Without it the buttons stay hidden and the address can be selected.
for (const button of document.querySelectorAll("button.copy")) {
  const field = document.getElementById(button.dataset.for);
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Press Ctrl+C";
    }
  });
}
