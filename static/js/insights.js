// Draws every <canvas data-chart="id"> from the JSON in <script id="id">, with Chart.js.
// Series differ by shape as well as colour (bars against a dashed line with triangles), and
// each chart has its numbers in a table beside it.
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }
  const styles = [
    { fill: "rgba(47, 91, 234, 0.75)", line: "#2f5bea", point: "rect", dash: [] },
    { fill: "#b54708", line: "#b54708", point: "triangle", dash: [6, 4] },
  ];
  // Long category names break over lines instead of being cut at the canvas edge.
  function wrap(label, width) {
    const lines = [];
    let line = "";
    String(label).split(" ").forEach((word) => {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    lines.push(line);
    return lines.length > 1 ? lines : lines[0];
  }
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const horizontal = canvas.dataset.orientation === "horizontal";
    const datasets = data.series.map((series, index) => {
      const style = styles[index % styles.length];
      const type = series.type || "bar";
      return {
        type: type,
        label: series.label,
        data: series.data,
        backgroundColor: style.fill,
        borderColor: style.line,
        borderWidth: 2,
        borderDash: type === "line" ? style.dash : [],
        pointStyle: style.point,
        pointRadius: type === "line" ? 5 : 0,
        tension: 0,
      };
    });
    const valueAxis = horizontal ? "x" : "y";
    const labels = horizontal ? data.labels.map((label) => wrap(label, 22)) : data.labels;
    if (horizontal) {
      // One band per category, so twenty suppliers stay as readable as three.
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
      const height = Math.max(12, data.labels.length * 3 + 3) * rem;
      canvas.parentElement.style.height = height + "px";
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: datasets.length > 1, labels: { usePointStyle: true } },
        },
        scales: { [valueAxis]: { beginAtZero: true } },
      },
    });
  });
})();
