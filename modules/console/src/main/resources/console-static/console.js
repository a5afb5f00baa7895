// The console's only script (the Content-Security-Policy allows no inline one): a form submits once
// (a double-click sends one request; the server also takes each confirmation once), and the overview chart.
document.addEventListener('submit', function (e) {
  var form = e.target;
  if (form.getAttribute('data-submitted') === 'true') {
    e.preventDefault();
    return;
  }
  form.setAttribute('data-submitted', 'true');
});
document.addEventListener('DOMContentLoaded', function () {
  var chart = document.getElementById('chart');
  if (!chart || !window.uPlot) {
    return;
  }
  var names = ['delivered', 'deferred', 'dead-lettered', 'in-doubt'];
  var colors = ['#2a9d8f', '#e9a03b', '#d1495b', '#6d597a'];
  fetch(chart.getAttribute('data-series'), {credentials: 'same-origin'})
    .then(function (r) { return r.json(); })
    .then(function (d) {
      var data = [d.minutes].concat(names.map(function (n) { return d[n]; }));
      var series = [{}].concat(names.map(function (n, i) {
        return {label: n, stroke: colors[i], width: 2};
      }));
      new uPlot({
        width: Math.max(600, Math.min(chart.clientWidth || 1000, 1200)),
        height: 260,
        series: series,
        axes: [{}, {label: 'jobs per minute'}]
      }, data, chart);
      chart.setAttribute('data-drawn', 'true');
    });
});
