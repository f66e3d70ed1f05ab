"""`flask --app run bench-data`: the synthetic data set of the benchmarks (bench/employees.py)."""

import time

import click

from app.extensions import db


@click.command("bench-data")
@click.option("--members", default=20000, show_default=True, help="Bench members to create.")
@click.option("--employees", default=300000, show_default=True, help="Employees in all.")
@click.option("--big", default=20000, show_default=True, help="Employees of the big member.")
@click.option("--seed", default=1, show_default=True)
@click.option("--reset", is_flag=True, help="Delete the bench members (>= 500000) first.")
def bench_data_command(members, employees, big, seed, reset):
    """Generate members numbered from 500000 with their establishments, posts and employees."""
    from app.demo import synthetic

    started = time.perf_counter()
    if reset:
        dropped = synthetic.drop()
        db.session.commit()
        click.echo(f"bench members deleted: {dropped} ({time.perf_counter() - started:.1f} s)")
    try:
        summary = synthetic.generate(members, employees, big, seed=seed)
    except (synthetic.BenchDataExistsError, ValueError, RuntimeError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    synthetic.settle()
    elapsed = time.perf_counter() - started
    click.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))
    click.echo(f"generated in {elapsed:.1f} s")


def init_app(app) -> None:
    app.cli.add_command(bench_data_command)
