// The Swift runtime's hook for enqueuing global (non-actor) jobs, which Swift cannot name.
#ifndef CAIRLOCK_EXECUTOR_H
#define CAIRLOCK_EXECUTOR_H

/// Where `swift_task_enqueueGlobal_hook` lives (nil until someone sets it). Reached by the
/// linker rather than `dlsym`: a statically linked Swift runtime does not export it.
void *_Nullable *_Nonnull airlock_enqueue_global_hook(void);

#endif
