class ExerciseCheckFailed(AssertionError):
    """A wrong answer to an exercise: Jupyter shows its message only."""

    def _render_traceback_(self):
        return [f"✗ {self}"]


def describe(argument):
    return (
        f"array of shape {tuple(argument.shape)}"
        if hasattr(argument, "shape")
        else repr(argument)
    )


def check_function(name, answer, reference, cases, mistakes=None):
    """Run `answer` and `reference` on each tuple in `cases`; explain a
    difference. `mistakes` maps an explanation to a function that makes that
    mistake: an answer that agrees with it gets the explanation.
    """
    for arguments in cases:
        call = f"{name}({', '.join(describe(a) for a in arguments)})"
        try:
            result = answer(*arguments)
        except ExerciseCheckFailed:
            raise
        except NotImplementedError:
            raise ExerciseCheckFailed(
                f"{name} still raises NotImplementedError: replace that line "
                "with your code."
            ) from None
        except Exception as error:
            raise ExerciseCheckFailed(
                f"{call} raised {type(error).__name__}: {error}"
            ) from None
        expected, result = (
            np.asarray(reference(*arguments)),
            np.asarray(result),
        )
        for explanation, mistake in (mistakes or {}).items():
            made = np.asarray(mistake(*arguments))
            if made.shape == result.shape and np.allclose(made, result):
                # a mistake may change the shape (a channels-last result)
                if made.shape != expected.shape or not np.allclose(
                    made, expected, atol=1e-4
                ):
                    raise ExerciseCheckFailed(f"{call}: {explanation}")
        transposed = (
            result.ndim == 2
            and result.T.shape == expected.shape
            and np.allclose(result.T, expected, atol=1e-4)
        )
        if result.shape != expected.shape or (
            transposed and not np.allclose(result, expected, atol=1e-4)
        ):
            if transposed:
                raise ExerciseCheckFailed(
                    f"{call}: this is the transpose of the right answer (rows "
                    "and columns swapped?)."
                )
            raise ExerciseCheckFailed(
                f"{call}: expected shape {expected.shape}, got {result.shape}."
            )
        if np.isnan(result).any():
            where = [
                tuple(map(int, p)) for p in np.argwhere(np.isnan(result))[:3]
            ]
            raise ExerciseCheckFailed(
                f"{call}: the result contains NaN, e.g. at {where}."
            )
        wrong = np.argwhere(~np.isclose(result, expected, atol=1e-4))
        if len(wrong):
            first = tuple(map(int, wrong[0]))
            raise ExerciseCheckFailed(
                f"{call}: {len(wrong)} of {expected.size} values are wrong, "
                f"e.g. at {first} "
                f"expected {expected[first]:.4g}, got {result[first]:.4g}."
            )
    print(f"✓ {name} is right on all {len(cases)} test inputs.")
