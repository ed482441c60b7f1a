"""The explorables (chapters/_shared/explorable.py) on the built site, operated with the keyboard only.

Each test puts the focus on an explorable's first control, as a reader tabbing there would, and from
then on only presses keys: Tab, arrows, Enter, typing. What the page then shows is compared with the
chapter's functions computed here in Python: `corr2d` (chapters/_shared/corr2d.py) for the sliding
window and the kernel playground (its grey scale too: 0 mid-grey, clipped at the 99th percentile of |Y|,
as the chapter's still figure), for the receptive fields the gradient of one output of the same stack of
layers built with JAX (exact for integers, 1e-5 otherwise), for chapter 4's descent jax.grad and jax.hessian,
for chapter 6's shifted input nnx.max_pool, for chapter 3's matrix the chapter's conv_matrix and jax.vjp.
Every visit also fails on a console error or a request to another host. Two tests break the page's
JavaScript (a flipped kernel, a pooling that ignores its stride) and check that the comparison catches
it. The explorables' sizes on the page go into _build/reports/explorables.json, their screenshots
(light and dark) into _build/screenshots/.
"""

import functools
import json
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from conftest import AXE, CHAPTERS, ROOT, SITE, plain  # and the fixture `book`: the PDF's text

SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "reports" / "explorables.json"
PAGES = {
    "sliding": "01_cross_correlation",
    "matrix": "03_convolution_as_matrix_multiplication",
    "playground": "02_edge_detection",
    "descent": "04_learning_a_kernel",
    "fields": "06_pooling",
    "shift": "06_pooling",
}
NAMESPACE = {"jnp": jnp, "np": np}
exec((CHAPTERS / "_shared" / "corr2d.py").read_text(), NAMESPACE)


def corr2d(X, K):
    return np.asarray(NAMESPACE["corr2d"](jnp.asarray(X, jnp.float32), jnp.asarray(K, jnp.float32)), np.float64)


@pytest.fixture
def visit(browser, server):  # noqa: F811
    """Open a chapter page; afterwards, fail on console errors and requests to other hosts."""
    opened = []

    def open_page(kind, route=None, **options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        page = context.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"error: {e}"))
        page.on("request", lambda r: r.url.startswith((server, "data:")) or problems.append(f"request: {r.url}"))
        if route:
            page.route(f"{server}/chapters/{PAGES[kind]}.html", route)
        page.goto(f"{server}/chapters/{PAGES[kind]}.html", wait_until="load")
        opened.append((context, problems, kind, list(problems)))
        if options.get("java_script_enabled", True):
            page.wait_for_selector(f".cfi-on[data-cfi={kind}]", state="attached")
        return page, page.locator(f".cfi[data-cfi={kind}]")

    def audit(page, root):
        """axe-core's findings in the explorable: it fetches the page's stylesheets itself (resolving
        @import, some 404), which are not the page's own requests, so the page's record is kept as it was."""
        context, problems, kind, _ = next(entry for entry in opened if page in entry[0].pages)
        before = list(problems)
        page.add_script_tag(path=str(AXE / "axe.min.js"))  # the pinned axe-core that test_browser.py audits with
        findings = page.evaluate(
            "async selector => (await axe.run(selector, {resultTypes: ['violations']})).violations",
            f".cfi[data-cfi={kind}]",
        )
        problems[:] = before
        return findings

    open_page.audit = audit
    yield open_page
    for context, problems, kind, _ in opened:
        context.close()
        assert not problems, f"the {kind} explorable's page: {problems}"


def type_into_focused(page, text):
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def number(text):
    return float(text.strip("()"))


# 1. The sliding window (chapter 1)


def sliding_state(root):
    return root.evaluate("""r => ({
        outputs: [...r.querySelectorAll('.cfi-live output')].map(o => o.textContent),
        sum: r.querySelector('.cfi-sum').textContent,
        window: [...r.querySelectorAll('.cfi-live fieldset')[0].querySelectorAll('input')]
                  .map(i => i.classList.contains('cfi-win')),
        focused: document.activeElement.getAttribute('aria-label') || document.activeElement.type})""")


def check_sliding(root, X, K, position):
    """The page shows corr2d(X, K), and at `position` the window's products and their sum."""
    X, K = np.asarray(X, float), np.asarray(K, float)
    Y = corr2d(X, K)
    state = sliding_state(root)
    shown = np.array([float(v) for v in state["outputs"]]).reshape(Y.shape)
    np.testing.assert_allclose(shown, Y, rtol=1e-5, atol=1e-5, err_msg="the output cells differ from corr2d")
    i, j = divmod(position, Y.shape[1])
    match = re.fullmatch(r"Y\[(\d+), (\d+)\] = (.+) = (\S+)", state["sum"])
    assert match and (int(match[1]), int(match[2])) == (i, j), f"at position {position} the page says {state['sum']!r}"
    terms = [[number(f) for f in term.split("×")] for term in match[3].split(" + ")]
    window = X[i : i + K.shape[0], j : j + K.shape[1]]
    np.testing.assert_allclose(
        terms,
        np.stack([window.ravel(), K.ravel()], axis=1),
        rtol=1e-5,
        err_msg=f"the products written out at {(i, j)} are not the window's",
    )
    np.testing.assert_allclose(float(match[4]), Y[i, j], rtol=1e-5, atol=1e-5, err_msg="the sum written out")
    shaded = np.array(state["window"]).reshape(X.shape)
    expected = np.zeros(X.shape, bool)
    expected[i : i + K.shape[0], j : j + K.shape[1]] = True
    assert (shaded == expected).all(), f"at position {position} the shaded window is {shaded.astype(int).tolist()}"


def operate_sliding(page, root, X, K):
    """Type X and K into the fields, Tab to the slider and step through every position, then back with Enter."""
    root.locator(".cfi-live input").first.focus()  # where a reader tabbing to the figure arrives
    for value in [*np.ravel(X), *np.ravel(K)]:
        type_into_focused(page, f"{value:g}")
        page.keyboard.press("Tab")
    assert sliding_state(root)["focused"] == "range", "Tab from the last kernel field should reach the slider"
    out_h, out_w = np.shape(X)[0] - np.shape(K)[0] + 1, np.shape(X)[1] - np.shape(K)[1] + 1
    page.keyboard.press("Home")
    check_sliding(root, X, K, 0)
    for position in range(1, out_h * out_w):
        page.keyboard.press("ArrowRight")
        check_sliding(root, X, K, position)
    page.keyboard.press("Tab")  # the "Previous" button
    page.keyboard.press("Enter")
    check_sliding(root, X, K, out_h * out_w - 2)


def check_bad_input(page, root):
    """Empty, a letter, 1e309 in X[0, 0]: a message next to the field, and the last valid state stays."""
    field = root.locator(".cfi-live input").first
    message = root.locator(".cfi-msg").first
    field.focus()
    for bad, says in [("", "empty"), ("a", "not a number"), ("1e309", "outside")]:
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.insert_text(bad)  # as pasted: typed, its prefix 1e3 would be valid
        assert field.get_attribute("aria-invalid") == "true", f"{bad!r} was accepted"
        assert message.is_visible() and says in message.text_content(), f"{bad!r}: message {message.text_content()!r}"
        assert field.get_attribute("aria-describedby") == message.get_attribute("id")
        check_sliding(root, np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2), 0)
    type_into_focused(page, "2")
    assert message.text_content() == "" and field.get_attribute("aria-invalid") == "false"
    X = np.arange(9.0).reshape(3, 3)
    X[0, 0] = 2
    check_sliding(root, X, np.arange(4.0).reshape(2, 2), 0)


def test_sliding_window_starts_on_the_chapter_example_and_agrees_with_corr2d(visit):
    page, root = visit("sliding")
    X, K = np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)
    check_sliding(root, X, K, 0)
    assert sliding_state(root)["outputs"] == ["19", "25", "37", "43"]
    check_bad_input(page, root)
    rng = np.random.default_rng(16)
    operate_sliding(page, root, rng.integers(-9, 10, (3, 3)), rng.integers(-5, 6, (2, 2)))
    operate_sliding(page, root, rng.normal(size=(3, 3)).round(3), [[0.1, -0.25], [1e-3, 2.5]])


def test_breaking_the_javascript_arithmetic_fails_the_comparison(visit):
    """Flip the kernel in the page's JavaScript: the comparison with corr2d must notice."""
    correct = "s += X[i + a][j + b] * K[a][b];"

    def flip_the_kernel(route):
        page_html = route.fetch().text()
        assert correct in page_html, "the JavaScript's sum is not where this test expects it"
        route.fulfill(
            body=page_html.replace(correct, "s += X[i + a][j + b] * K[kh - 1 - a][kw - 1 - b];"),
            content_type="text/html",
        )

    page, root = visit("sliding", route=flip_the_kernel)
    with pytest.raises(AssertionError, match="differ from corr2d"):
        check_sliding(root, np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2), 0)


# 2. The kernel playground (chapter 2)


def thumbnail():
    """The chapter's 128 x 128 photograph: camera() halved (chapter 2's photo), halved again, rounded."""
    import skimage

    photo = skimage.data.camera().reshape(256, 2, 256, 2).mean(axis=(1, 3)).astype(np.float32)
    return np.round(photo.reshape(128, 2, 128, 2).mean(axis=(1, 3)))


def check_playground(root, image, kernel=None):
    state = root.evaluate("""r => {
        const c = r.querySelector('.cfi-live canvas');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return {kernel: [...r.querySelectorAll('.cfi-live input')].map(i => i.value),
                range: r.querySelector('.cfi-range').textContent, shape: [c.height, c.width],
                grey: [...data].filter((_, n) => n % 4 === 0)};
    }""")
    K = np.array([float(v) for v in state["kernel"]]).reshape(3, 3) if kernel is None else np.asarray(kernel)
    Y = corr2d(image, K)
    match = re.fullmatch(
        r"Y = corr2d\(X, K\), (\d+) × (\d+): values from (\S+) to (\S+); grey from −(\S+) \(black\) through 0 "
        r"\(mid-grey\) to (\S+) \(white\), (\S+) the 99th percentile of \|Y\|",
        state["range"],
    )
    assert match, f"the value range reads {state['range']!r}"
    assert (int(match[1]), int(match[2])) == Y.shape == tuple(state["shape"])
    limit = np.percentile(np.abs(Y), 99)  # the chapter's still figure: 0 mid-grey, clipped at the 99th percentile
    np.testing.assert_allclose(
        [float(match[k]) for k in range(3, 8)],
        [Y.min(), Y.max(), limit, limit, limit],
        rtol=1e-5,
        atol=1e-5,
        err_msg=f"the range and grey scale shown for the kernel {K.tolist()}",
    )
    grey = np.clip(np.floor(256 * (Y + limit) / (2 * limit)), 0, 255) if limit > 0 else np.full(Y.shape, 128)
    drawn = np.array(state["grey"]).reshape(Y.shape)
    off = np.abs(drawn - grey) > 1
    assert not off.any(), (
        f"the filtered photograph drawn for {K.tolist()} is not corr2d's on the chapter's grey scale at "
        f"{off.sum()} pixels, e.g. {np.argwhere(off)[0].tolist()}: drawn {drawn[off][0]}, expected {grey[off][0]}"
    )
    return K


def test_kernel_playground_presets_and_typed_kernels_agree_with_corr2d(visit):
    page, root = visit("playground")
    image = thumbnail()
    page.wait_for_function("() => document.querySelector('.cfi-range').textContent !== ''")
    sobel = np.outer([1, 2, 1], [1, 0, -1])
    np.testing.assert_array_equal(check_playground(root, image), sobel, err_msg="the first preset is not Sobel")
    root.locator(".cfi-live select").focus()
    seen = [sobel.tolist()]
    for _ in range(6):
        page.keyboard.press("ArrowDown")
        seen.append(check_playground(root, image).tolist())
    assert len({json.dumps(k) for k in seen}) == 7, f"the arrow keys did not step through seven presets: {seen}"
    page.keyboard.press("Tab")
    for value in [0, -1, 0, -1, 5, -1, 0, -1, 0.5]:
        type_into_focused(page, f"{value:g}")
        page.keyboard.press("Tab")
    sharpen = [[0, -1, 0], [-1, 5, -1], [0, -1, 0.5]]
    np.testing.assert_array_equal(check_playground(root, image), sharpen)
    root.locator(".cfi-live input").nth(4).focus()
    type_into_focused(page, "x")
    message = root.locator(".cfi-msg")
    assert message.is_visible() and "K[1, 1]" in message.text_content()
    check_playground(root, image, kernel=sharpen)  # the last valid kernel


# 3. Receptive fields and output shapes (chapter 6)


@functools.cache
def jax_fields(n, layers):
    """The map sizes of the stack, built with JAX, and the input pixels output (i, j) depends on: where the
    gradient of that output is non-zero. Pooling sums its window here: max pooling depends on the same pixels,
    but its gradient picks one of them."""

    def network(x):
        y, sizes = x[None, None], [n]
        for kind, k, stride, pad in layers:
            if kind == "convolution":
                y = jax.lax.conv_general_dilated(y, jnp.ones((1, 1, k, k)), (stride, stride), [(pad, pad)] * 2)
            else:
                y = jax.lax.reduce_window(
                    y, 0.0, jax.lax.add, (1, 1, k, k), (1, 1, stride, stride), [(0, 0), (0, 0), (pad, pad), (pad, pad)]
                )
            sizes.append(y.shape[2])
        return y[0, 0], sizes

    image = jnp.asarray(np.random.default_rng(0).uniform(1, 2, (n, n)), jnp.float32)
    sizes = network(image)[1]
    jacobian = jax.jacrev(lambda x: network(x)[0])(image)  # [i, j] is the gradient of output (i, j)
    return sizes, np.asarray(jacobian) != 0


def jax_receptive_field(n, layers, i, j):
    sizes, fields = jax_fields(n, tuple(layers))
    return sizes, fields[i, j]


def fields_state(root):
    return root.evaluate("""r => ({
        shapes: [...r.querySelectorAll('.cfi-live ol li')].map(l => l.textContent),
        shaded: [...r.querySelectorAll('.cfi-live [role=img] span')].map(s => s.classList.contains('cfi-win')),
        said: r.querySelector('.cfi-field').textContent,
        focused: document.activeElement.getAttribute('aria-label')})""")


def check_fields(root, n, layers, i, j):
    sizes, field = jax_receptive_field(n, layers, i, j)
    state = fields_state(root)
    shown = [int(re.search(r"= (\d+), a", line)[1]) for line in state["shapes"]]
    assert [n, *shown] == sizes, f"the page gives map sizes {shown}, JAX {sizes[1:]} for {layers}"
    shaded = np.array(state["shaded"]).reshape(n, n)
    assert (shaded == field).all(), (
        f"output {(i, j)} of {layers}: page {shaded.astype(int).tolist()}, JAX {field.astype(int).tolist()}"
    )
    assert state["focused"] == f"output ({i}, {j})" and state["said"].startswith(f"Output ({i}, {j})")


def set_stack(page, root, n, layers):
    """From the input size field, Tab through every control of the network, typing the settings."""
    root.locator(".cfi-live input").first.focus()
    type_into_focused(page, str(n))
    page.keyboard.press("Tab")  # the number of layers
    current = int(root.locator(".cfi-live select").first.input_value())
    for _ in range(abs(len(layers) - current)):
        page.keyboard.press("ArrowDown" if len(layers) > current else "ArrowUp")
    for kind, k, stride, pad in layers:
        page.keyboard.press("Tab")
        kinds = ["convolution", "max pooling", "average pooling"]
        page.keyboard.press("Home")  # the first kind, then down to this one
        for _ in range(kinds.index(kind)):
            page.keyboard.press("ArrowDown")
        for value in (k, stride, pad):
            page.keyboard.press("Tab")
            type_into_focused(page, str(value))
    page.keyboard.press("Tab")  # the chosen output cell


def test_receptive_fields_and_shapes_agree_with_jax(visit):
    page, root = visit("fields")
    start = [("convolution", 3, 1, 0), ("max pooling", 2, 2, 0), ("convolution", 3, 1, 0)]
    root.evaluate("r => r.querySelector('.cfi-live [tabindex=\"0\"]').focus()")
    check_fields(root, 10, start, 0, 0)
    # a layer that does not fit is refused with a message
    window = root.get_by_label("Layer 3 window")
    window.focus()
    type_into_focused(page, "5")  # the third layer gets a 4 x 4 map
    message = root.locator(".cfi-msg").nth(3)
    assert window.get_attribute("aria-invalid") == "true" and "does not fit" in message.text_content()
    root.evaluate("r => r.querySelector('.cfi-live [tabindex=\"0\"]').focus()")
    check_fields(root, 10, [("convolution", 3, 1, 0), ("max pooling", 2, 2, 0), ("convolution", 3, 1, 0)], 0, 0)
    for n, layers, moves in [
        (
            12,
            [("convolution", 3, 1, 1), ("average pooling", 2, 2, 0), ("convolution", 3, 2, 0)],
            ["ArrowRight", "ArrowDown", "ArrowDown"],
        ),
        (10, [("convolution", 1, 3, 0), ("max pooling", 2, 1, 0)], ["ArrowRight", "ArrowDown"]),
        (9, [("max pooling", 3, 2, 2)], ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowLeft"]),
    ]:
        set_stack(page, root, n, layers)
        i, j = map(int, re.findall(r"\d+", fields_state(root)["focused"]))  # the cell chosen before, if still there
        check_fields(root, n, layers, i, j)
        size = jax_receptive_field(n, layers, 0, 0)[0][-1]
        for key in moves:
            di, dj = {"ArrowRight": (0, 1), "ArrowLeft": (0, -1), "ArrowDown": (1, 0), "ArrowUp": (-1, 0)}[key]
            i, j = min(max(i + di, 0), size - 1), min(max(j + dj, 0), size - 1)
            page.keyboard.press(key)
            check_fields(root, n, layers, i, j)


# 4. The learning rate on the loss surface (chapter 4)


def chapter_loss(corr, X, Y):
    return lambda w: ((corr(X, w.reshape(1, 2)) - Y) ** 2).sum()


def chapter_curvatures():
    """The eigenvalues of the Hessian of chapter 4's loss, from jax.hessian, and its eigenvectors."""
    corr = NAMESPACE["corr2d"]
    with jax.enable_x64(True):
        X = jnp.ones((6, 8)).at[:, 2:6].set(0.0)
        Y = corr(X, jnp.array([[1.0, -1.0]]))
        return np.linalg.eigh(np.asarray(jax.hessian(chapter_loss(corr, X, Y))(jnp.zeros(2))))


def python_verdict(rate):
    """The chapter's rule: one step multiplies the error along each eigenvector by 1 - rate * curvature."""
    factor = np.abs(1 - rate * chapter_curvatures()[0]).max()
    return "oscillates without converging" if abs(factor - 1) <= 1e-9 else "converges" if factor < 1 else "diverges"


def descent(rate, steps, start):
    """Gradient descent on chapter 4's loss, sum((corr2d(X, K) - Y) ** 2), with jax.grad: losses, kernel.

    In float64, like the page: where the descent diverges it amplifies rounding, and float32's would change
    the result by 1e-4."""
    corr = NAMESPACE["corr2d"]
    with jax.enable_x64(True):
        X = jnp.ones((6, 8)).at[:, 2:6].set(0.0)
        Y = corr(X, jnp.array([[1.0, -1.0]]))
        step = jax.jit(jax.value_and_grad(chapter_loss(corr, X, Y)))
        w, losses = jnp.asarray(start, jnp.float64), []
        for _ in range(steps):
            loss, gradient = step(w)
            losses.append(float(loss))
            w = w - rate * gradient
        return np.array(losses), np.asarray(w)


def check_descent(root, verdict=None, typed=None):
    """Compare the page with jax.grad and the rule from jax.hessian; `typed` is the exact rate typed, which
    the page writes to 6 digits only."""
    state = root.evaluate("""r => ({said: r.querySelector('.cfi-descent').textContent,
                                     losses: r.querySelector('.cfi-losses').textContent})""")
    match = re.fullmatch(
        r"Rate (\S+), (\d+) steps: loss \S+ at the start, (\S+) after the last step; "
        r"kernel \[(\S+), (\S+)\]\. Largest \|1 − rate × curvature\| = (\S+), so it "
        r"(converges|diverges|oscillates without converging)\.",
        state["said"],
    )
    assert match, f"the descent explorable says {state['said']!r}"
    rate, steps = float(match[1]), int(match[2])
    if typed is not None:
        assert rate == pytest.approx(typed, rel=1e-5), f"the page says rate {rate}, not the typed {typed}"
        rate = typed
    start = json.loads(root.locator(".cfi-data").text_content())["start"]
    losses, kernel = descent(rate, steps, start)
    shown = [float(v) for v in state["losses"].removeprefix("Loss before each step: ").split(", ")]
    np.testing.assert_allclose(shown, losses, rtol=1e-5, atol=1e-5, err_msg=f"the losses at rate {rate}")
    np.testing.assert_allclose(
        [float(match[4]), float(match[5])],
        kernel,
        rtol=1e-5,
        atol=1e-5,
        err_msg=f"the kernel after {steps} steps at rate {rate}",
    )
    factor = np.abs(1 - rate * chapter_curvatures()[0]).max()
    np.testing.assert_allclose(float(match[6]), factor, rtol=1e-5, err_msg=f"the largest factor at rate {rate}")
    assert match[7] == python_verdict(rate), (
        f"at rate {rate} the page says it {match[7]}, the chapter's rule says {python_verdict(rate)}"
    )
    assert verdict in (None, match[7]), f"at rate {rate} the page says it {match[7]}, not {verdict}"
    return rate, steps, match[7]


def test_learning_rate_explorable_agrees_with_jax_grad(visit):
    page, root = visit("descent")
    rate, steps, _ = check_descent(root, "converges")
    assert rate == 0.03 and steps >= 40, "the figure should start at the chapter's rate, with enough steps"
    start = json.loads(root.locator(".cfi-data").text_content())["start"]
    error = np.asarray(start) - [1, -1]
    parts = np.abs(chapter_curvatures()[1].T @ error) / np.linalg.norm(error)
    assert parts.min() > 0.1, f"the start's error lies almost on one eigenvector (parts {parts}): no instability shows"
    root.locator(".cfi-live input[type=range]").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    rate, steps, said = check_descent(root, "diverges")
    assert rate == pytest.approx(0.035)
    losses = descent(rate, steps, start)[0]
    assert losses[-1] > losses[0], f"at {rate} the default {steps} steps do not show the loss growing: {losses}"
    page.keyboard.press("Tab")  # the typed rate
    type_into_focused(page, "0.05")
    page.keyboard.press("Tab")  # the number of steps
    type_into_focused(page, "25")
    assert check_descent(root, "diverges")[:2] == (0.05, 25)
    page.keyboard.press("Shift+Tab")
    type_into_focused(page, "0.02")
    check_descent(root, "converges")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("1e309")
    message = root.locator(".cfi-msg")
    assert message.is_visible() and "outside" in message.text_content()
    assert check_descent(root)[:2] == (0.02, 25), "a refused rate must leave the last valid one"


def test_learning_rate_verdicts_around_the_threshold_follow_the_hessian(visit):
    """Rates on a grid around 2 / lambda_max: the page's verdict is the chapter's rule computed from jax.hessian."""
    page, root = visit("descent")
    threshold = 2 / chapter_curvatures()[0].max()
    root.get_by_label("Learning rate (typed)").focus()
    seen = {}
    for rate in [0.03, 0.033, threshold, 0.0334, 0.034, 0.035, 0.04, 0.045, 0.05]:
        type_into_focused(page, repr(float(rate)))
        seen[rate] = check_descent(root, typed=rate)[2]
    assert seen[threshold] == "oscillates without converging" and seen[0.033] == "converges", seen
    assert {seen[r] for r in (0.0334, 0.034, 0.035, 0.04, 0.045, 0.05)} == {"diverges"}, seen


# 5. Shifting the input under max pooling (chapter 6)


def stripe():
    """Chapter 6's stripe image and chapter 2's vertical_edge_kernel."""
    return jnp.ones((6, 8)).at[:, 2:6].set(0.0), jnp.array([[1.0, -1.0]])


def flax_shift(shift, window, stride):
    """The image moved with jnp.roll, its edge map by corr2d, both maps pooled by nnx.max_pool."""
    from flax import nnx

    X, K = stripe()

    def pooled(image):
        edges = NAMESPACE["corr2d"](image, K)
        return np.asarray(nnx.max_pool(edges[None, :, :, None], (window, window), (stride, stride))[0, :, :, 0])

    moved = jnp.roll(X, shift, axis=1)
    return np.asarray(moved), np.asarray(NAMESPACE["corr2d"](moved, K)), pooled(X), pooled(moved)


def shift_state(root):
    return root.evaluate("""r => ({
        grids: [...r.querySelectorAll('.cfi-live .cfi-shift')].map(g => ({
            columns: g.style.gridTemplateColumns,
            values: [...g.children].map(s => s.textContent),
            marked: [...g.children].map(s => s.classList.contains('cfi-cur'))})),
        said: r.querySelector('.cfi-shift-said').textContent})""")


def check_shift(root, shift, window, stride):
    state = shift_state(root)
    expected = flax_shift(shift, window, stride)
    for grid, array, name in zip(state["grids"], expected, ["shifted image", "edge map", "pooled", "shifted pooled"]):
        assert grid["columns"] == f"repeat({array.shape[1]}, auto)", f"the {name} grid is {grid['columns']}"
        shown = np.array([float(v) for v in grid["values"]]).reshape(array.shape)
        np.testing.assert_array_equal(shown, array, err_msg=f"the {name} at shift {shift}, {window}, {stride}")
    before, after = expected[2], expected[3]
    marked = np.array(state["grids"][3]["marked"]).reshape(after.shape)
    assert (marked == (before != after)).all(), f"the marked cells at shift {shift}, window {window}, stride {stride}"

    def columns(P):
        return ", ".join(str(j) for j in range(P.shape[1]) if (P[:, j] == before.max()).any()) or "none"

    h, w = after.shape
    said = (
        f"Shift {shift}, window {window} × {window}, stride {stride}: pooled map {h} × {w}; "
        f"{int((before != after).sum())} of {h * w} positions differ from the unshifted pooled map (marked); "
        f"its largest response, {before.max():g}, is in columns {columns(after)} (unshifted: {columns(before)})."
    )
    assert state["said"] == said


def test_shift_under_pooling_agrees_with_nnx_max_pool(visit):
    page, root = visit("shift")
    check_shift(root, 1, 2, 2)  # the chapter's starting state
    root.locator(".cfi-live input[type=range]").focus()
    page.keyboard.press("Home")
    check_shift(root, 0, 2, 2)
    for shift in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        check_shift(root, shift, 2, 2)
    page.keyboard.press("Tab")  # the typed shift
    for window, stride in [(2, 1), (3, 1), (3, 2), (1, 3), (4, 2)]:
        page.keyboard.press("Tab")
        type_into_focused(page, str(window))
        page.keyboard.press("Tab")
        type_into_focused(page, str(stride))
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        for shift in range(4):
            type_into_focused(page, str(shift))
            check_shift(root, shift, window, stride)
    # bad input: a message beside the field, and the last valid state stays
    message = root.locator(".cfi-msg")
    typed = root.get_by_label("Shift (typed)")
    for bad, says in [("a", "not a number"), ("1.5", "not a whole number"), ("9", "outside 0 to 3"), ("", "empty")]:
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.insert_text(bad)
        assert typed.get_attribute("aria-invalid") == "true", f"{bad!r} was accepted"
        assert says in message.text_content(), f"{bad!r}: {message.text_content()!r}"
        check_shift(root, 3, 4, 2)
    page.keyboard.press("Tab")
    type_into_focused(page, "7")
    assert "outside 1 to 4" in message.text_content()
    check_shift(root, 3, 4, 2)


def test_breaking_the_pooling_stride_fails_the_comparison(visit):
    """Make the page's pooling ignore the stride: the comparison with nnx.max_pool must notice."""
    correct = "m = Math.max(m, E[i * stride + a][j * stride + b]);"

    def no_stride(route):
        page_html = route.fetch().text()
        assert correct in page_html, "the JavaScript's pooling is not where this test expects it"
        route.fulfill(body=page_html.replace(correct, "m = Math.max(m, E[i + a][j + b]);"), content_type="text/html")

    page, root = visit("shift", route=no_stride)
    with pytest.raises(AssertionError, match="the pooled at shift"):
        check_shift(root, 1, 2, 2)


# 6. The matrix W beside X, and its transpose (chapter 3)


@functools.cache
def chapter_conv_matrix():
    """The chapter's own conv_matrix, taken from its notebook."""
    notebook = json.loads((CHAPTERS / f"{PAGES['matrix']}.ipynb").read_text())
    source = next(
        "".join(c["source"])
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).startswith("def conv_matrix(")
    )
    namespace = {"jnp": jnp, "np": np}
    exec(source, namespace)
    return namespace["conv_matrix"]


def matrix_state(root):
    return root.evaluate("""r => {
        const grids = [...r.querySelectorAll('.cfi-live [role=img]')];
        const read = g => [...g.children].map(c => c.textContent);
        const lit = g => [...g.children].map(c => c.className);
        return {W: read(grids[0]), rows: lit(grids[0]), X: read(grids[1]), lit: lit(grids[1]),
                back: read(grids[2]), backLit: lit(grids[2]),
                forward: r.querySelector('.cfi-forward').textContent,
                backward: r.querySelector('.cfi-backward').textContent};
    }""")


def check_matrix(root, row, g):
    X, K = np.arange(9.0).reshape(3, 3), np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.asarray(chapter_conv_matrix()(K, (3, 3)))
    window = np.asarray(chapter_conv_matrix()(np.ones_like(K), (3, 3)))[row] != 0
    state = matrix_state(root)
    np.testing.assert_array_equal(np.array(state["W"], float).reshape(W.shape), W, err_msg="W is not conv_matrix's")
    assert [c == "cfi-cur" for c in state["rows"]] == [r == row for r in range(4) for _ in range(9)], f"row {row}"
    np.testing.assert_array_equal(np.array(state["X"], float), X.ravel())
    assert [c == "cfi-win" for c in state["lit"]] == window.tolist(), f"the window of row {row} on X"
    assert [c == "cfi-win" for c in state["backLit"]] == window.tolist()
    i, j = divmod(row, 2)
    match = re.fullmatch(
        rf"Row {row} of W is output \({i}, {j}\): Y\[{i}, {j}\] = (.+) = (\S+), the window of X it lights up times "
        r"the kernel\.",
        state["forward"],
    )
    assert match, state["forward"]
    terms = [[number(f) for f in term.split("×")] for term in match[1].split(" + ")]
    np.testing.assert_allclose(terms, np.stack([W[row][window], X.ravel()[window]], axis=1))
    assert float(match[2]) == pytest.approx((W @ X.ravel())[row]) == pytest.approx(corr2d(X, K)[i, j])
    g = np.asarray(g, np.float64)
    _, pullback = jax.vjp(lambda x: NAMESPACE["corr2d"](x, jnp.asarray(K, jnp.float32)), jnp.asarray(X, jnp.float32))
    vjp = np.asarray(pullback(jnp.asarray(g, jnp.float32))[0], np.float64)
    back = np.array(state["back"], float).reshape(3, 3)
    np.testing.assert_allclose(back, vjp, rtol=1e-5, atol=1e-5, err_msg=f"W^T vec(g) for g = {g.tolist()}: jax.vjp")
    np.testing.assert_allclose(back.ravel(), W.T @ g.ravel(), rtol=1e-5, atol=1e-5, err_msg="W.T @ vec(g)")
    copy = "; ".join(", ".join(f"{v:g}" for v in r) for r in (K * float(g[i, j])).tolist())
    assert f"puts g[{i}, {j}] × K = [{copy}] into the window of output ({i}, {j})" in state["backward"]


def test_matrix_beside_x_agrees_with_conv_matrix_and_jax_vjp(visit):
    page, root = visit("matrix")
    g = [[1.0, 0.0], [0.0, 2.0]]
    check_matrix(root, 0, g)  # the chapter's example
    root.locator(".cfi-live input[type=range]").focus()
    for row in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        check_matrix(root, row, g)
    page.keyboard.press("Home")
    rng = np.random.default_rng(3)
    for typed in (rng.integers(-5, 6, (2, 2)), rng.normal(size=(2, 2)).round(3)):
        page.keyboard.press("Tab")  # g[0, 0], then the others in turn
        for value in np.ravel(typed):
            type_into_focused(page, f"{value:g}")
            page.keyboard.press("Tab")
        for _ in range(5):
            page.keyboard.press("Shift+Tab")  # back to the slider
        page.keyboard.press("End")
        check_matrix(root, 3, typed)
        page.keyboard.press("Home")
        check_matrix(root, 0, typed)
    field = root.get_by_label("g[1, 1]")
    field.focus()
    message = root.locator(".cfi-msg")
    for bad, says in [("", "empty"), ("x", "not a number"), ("1e309", "outside")]:
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.insert_text(bad)
        assert field.get_attribute("aria-invalid") == "true" and says in message.text_content(), bad
        check_matrix(root, 0, typed)


# Every explorable: still figure without JavaScript and in print, phone width, the PDF, sizes


@pytest.mark.parametrize("kind", PAGES)
def test_still_figure_without_javascript_in_print_and_on_a_phone(visit, kind):
    page, root = visit(kind, java_script_enabled=False)
    still = root.locator(".cfi-still img").first
    assert still.is_visible() and still.evaluate("i => i.complete && i.naturalWidth > 0"), "no still figure"
    assert len(still.get_attribute("alt")) > 20 and not root.locator(".cfi-live").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, root = visit(kind, viewport={"width": 390, "height": 844})
    assert root.locator(".cfi-live").is_visible() and not root.locator(".cfi-still").is_visible()
    for scheme in ("light", "dark"):  # the theme's own switch
        page.evaluate(f"document.documentElement.dataset.theme = '{scheme}'")
        root.scroll_into_view_if_needed()
        root.screenshot(path=str(SCREENSHOTS / f"explorable-{kind}-{scheme}-phone.png"))
        widths = root.evaluate("r => [r.scrollWidth, r.clientWidth, document.scrollingElement.scrollWidth]")
        assert widths[0] <= widths[1] and widths[2] <= 390, f"{kind} at 390 px: {widths} (scrolls sideways)"
        serious = [f"{v['id']}: {v['help']}" for v in visit.audit(page, root) if v["impact"] in ("serious", "critical")]
        assert not serious, f"the {kind} explorable in {scheme} mode: axe-core reports {serious}"
    page.emulate_media(media="print")
    assert root.locator(".cfi-still").is_visible() and not root.locator(".cfi-live").is_visible()
    report_size(kind)


def report_size(kind):
    """The explorable's bytes in its page's HTML (the issue asks for under 60 KB): a report, not a limit."""
    page_html = (SITE / "chapters" / f"{PAGES[kind]}.html").read_text()
    start = page_html.rindex("<div", 0, page_html.index(f'data-cfi="{kind}"'))
    end = page_html.index("</script></div>", page_html.index("<script>", start)) + len("</script></div>")
    sizes = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    sizes[kind] = len(page_html[start:end].encode())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(sizes, indent=1, sort_keys=True))


def test_the_pdf_shows_each_still_figure(book):  # noqa: F811
    text = " ".join(book["pages"])
    Y = corr2d(np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2))
    sums = plain(f"Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = {Y[0, 0]:g}")
    edges = corr2d(thumbnail(), np.outer([1, 2, 1], [1, 0, -1]))
    limit = f"{np.percentile(np.abs(edges), 99):.6g}"
    values = f"values from {edges.min():g} to {edges.max():g}; grey from −{limit} (black) through 0 (mid-grey)"
    field = jax_receptive_field(
        10, [("convolution", 3, 1, 0), ("max pooling", 2, 2, 0), ("convolution", 3, 1, 0)], 0, 0
    )[1]
    rows = np.nonzero(field.any(axis=1))[0]
    seen = f"sees input rows and columns {rows[0]} to {rows[-1]} of the 10 x 10 input"
    losses = ", ".join(f"{v:.4g}" for v in descent(0.03, 40, [0, 0.5])[0])
    steps = f"the loss before each of its 40 steps is {losses}"
    before, after = flax_shift(1, 2, 2)[2:]
    shifted = (
        f"Shift 1, window 2 × 2, stride 2: pooled map {after.shape[0]} × {after.shape[1]}; {(before != after).sum()}"
    )
    first = corr2d(np.arange(9.0).reshape(3, 3), [[1, 2], [3, 4]])[0, 0]
    matrix = f"Row 0 of W is output (0, 0): Y[0, 0] = 1×0 + 2×1 + 3×3 + 4×4 = {first:g}"
    squash = lambda s: re.sub(r"\s+", "", s)  # a long caption wraps across the PDF's lines
    missing = [still for still in (sums, values, seen, steps, shifted, matrix) if squash(still) not in squash(text)]
    assert not missing, f"the PDF lacks the still figures' captions {missing}"
