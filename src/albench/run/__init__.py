"""How a job runs: every rule's entry point (`client`), the warm worker pool (`pool`), the job
a worker or the entry point runs (`job`), and the function each rule runs (`rules`).

Nothing in the library imports this package; it imports the library lazily, job by job.
"""
