// The page of `convnet serve`: drawings go to TensorFlow Serving's :predict route as 784 pixels,
// files to /images:classify, which prepares them as `predict` does. No network beyond this server.
"use strict";

// The served model's class names, from /classes.json: Fashion-MNIST's ten, or a data set's own.
let LABELS = [];
const MODEL = new URLSearchParams(location.search).get("model") || "fashion";
const draw = document.getElementById("draw");
const pen = draw.getContext("2d");
const seen = document.getElementById("seen");
const seenContext = seen.getContext("2d");
const bars = document.getElementById("bars");
const answer = document.getElementById("answer");
const errorLine = document.getElementById("error");
document.getElementById("api").textContent = "/v1/models/" + MODEL + ":predict";

// One bar a class, built once the names are known.
const fills = [];
const values = [];
const rows = [];
function buildBars(labels) {
  LABELS = labels;
  labels.forEach(function (label) {
    const row = document.createElement("div");
    row.className = "bar";
    row.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span>'
        + '<span class="value">-</span>';
    row.querySelector(".label").textContent = label;
    bars.appendChild(row);
    rows.push(row);
    fills.push(row.querySelector(".fill"));
    values.push(row.querySelector(".value"));
  });
}

function showProbabilities(probabilities) {
  let best = 0;
  probabilities.forEach(function (p, c) {
    fills[c].style.width = (100 * p).toFixed(1) + "%";
    values[c].textContent = (100 * p).toFixed(1) + "%";
    if (p > probabilities[best]) {
      best = c;
    }
  });
  rows.forEach(function (row, c) {
    row.classList.toggle("top", c === best);
  });
  answer.textContent = LABELS[best] + " " + (100 * probabilities[best]).toFixed(1) + "%";
  errorLine.textContent = "";
}

function showPixels(pixels) {
  const image = seenContext.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  seenContext.putImageData(image, 0, 0);
}

function showError(message) {
  errorLine.textContent = message;
}

// The drawing, scaled to 28x28 as Fashion-MNIST is: the object centred in a 28x28 square.
function drawingPixels() {
  const small = document.createElement("canvas");
  small.width = 28;
  small.height = 28;
  const context = small.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(draw, 0, 0, 28, 28);
  const data = context.getImageData(0, 0, 28, 28).data;
  const pixels = new Array(784);
  for (let i = 0; i < 784; i++) {
    pixels[i] = data[4 * i] / 255;
  }
  return pixels;
}

let inFlight = false;
let pending = null;

// Sends 784 pixels to the TensorFlow Serving route; while one request is out, only the latest
// drawing waits, so the bars follow the pen without a queue of stale requests.
function predict(pixels) {
  if (inFlight) {
    pending = pixels;
    return;
  }
  inFlight = true;
  showPixels(pixels);
  fetch("/v1/models/" + MODEL + ":predict", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({instances: [pixels]})
  }).then(function (response) {
    return response.json().then(function (body) {
      if (!response.ok) {
        throw new Error(body.error || response.statusText);
      }
      showProbabilities(body.predictions[0].probabilities);
    });
  }).catch(function (e) {
    showError(e.message);
  }).finally(function () {
    inFlight = false;
    if (pending) {
      const next = pending;
      pending = null;
      predict(next);
    }
  });
}

function classifyFile(file) {
  fetch("/images:classify?pixels=1&name=" + encodeURIComponent(file.name), {
    method: "POST",
    body: file
  }).then(function (response) {
    return response.json().then(function (body) {
      if (!response.ok) {
        throw new Error(body.error || response.statusText);
      }
      showPixels(body.pixels);
      showProbabilities(body.probabilities);
    });
  }).catch(function (e) {
    showError(e.message);
  });
}

// Drawing with a mouse, a pen or a finger.
function clearDrawing() {
  pen.fillStyle = "#000";
  pen.fillRect(0, 0, draw.width, draw.height);
}
clearDrawing();
pen.strokeStyle = "#fff";
pen.lineWidth = 22;
pen.lineCap = "round";
pen.lineJoin = "round";
let drawing = false;
let last = null;

function point(event) {
  const box = draw.getBoundingClientRect();
  return {x: (event.clientX - box.left) * draw.width / box.width,
          y: (event.clientY - box.top) * draw.height / box.height};
}

draw.addEventListener("pointerdown", function (event) {
  drawing = true;
  last = point(event);
  draw.setPointerCapture(event.pointerId);
  pen.beginPath();
  pen.arc(last.x, last.y, pen.lineWidth / 2, 0, 2 * Math.PI);
  pen.fillStyle = "#fff";
  pen.fill();
  predict(drawingPixels());
});
draw.addEventListener("pointermove", function (event) {
  if (!drawing) {
    return;
  }
  const next = point(event);
  pen.beginPath();
  pen.moveTo(last.x, last.y);
  pen.lineTo(next.x, next.y);
  pen.stroke();
  last = next;
  predict(drawingPixels());
});
["pointerup", "pointercancel", "pointerleave"].forEach(function (type) {
  draw.addEventListener(type, function () {
    if (drawing) {
      drawing = false;
      predict(drawingPixels());
    }
  });
});
document.getElementById("clear").addEventListener("click", function () {
  clearDrawing();
  showPixels(new Array(784).fill(0));
  answer.textContent = "";
});

// Files: chosen or dropped.
const drop = document.getElementById("drop");
document.getElementById("file").addEventListener("change", function (event) {
  if (event.target.files.length > 0) {
    classifyFile(event.target.files[0]);
  }
});
drop.addEventListener("dragover", function (event) {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", function () {
  drop.classList.remove("over");
});
drop.addEventListener("drop", function (event) {
  event.preventDefault();
  drop.classList.remove("over");
  if (event.dataTransfer.files.length > 0) {
    classifyFile(event.dataTransfer.files[0]);
  }
});

// The class names, then test images from the data, when the server found it.
fetch("/classes.json").then(function (response) {
  return response.json();
}).then(function (labels) {
  buildBars(labels);
  return fetch("/examples.json");
}).then(function (response) {
  return response.json();
}).then(function (examples) {
  const box = document.getElementById("examples");
  examples.forEach(function (example) {
    const button = document.createElement("button");
    button.type = "button";
    button.title = "test image " + example.index + ": " + example.label;
    const tile = document.createElement("canvas");
    tile.width = 28;
    tile.height = 28;
    const image = tile.getContext("2d").createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = example.pixels[i];
      image.data[4 * i + 3] = 255;
    }
    tile.getContext("2d").putImageData(image, 0, 0);
    button.appendChild(tile);
    button.addEventListener("click", function () {
      predict(example.pixels.map(function (v) { return v / 255; }));
    });
    box.appendChild(button);
  });
  if (examples.length === 0) {
    box.textContent = "(none: the server found no test images of this model's classes)";
  }
  // ?example=N shows test image N's answer at once (a link to share, or a screenshot).
  const chosen = parseInt(new URLSearchParams(location.search).get("example"), 10);
  if (chosen >= 0 && chosen < box.children.length) {
    box.children[chosen].click();
  }
});
