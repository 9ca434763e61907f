/*
 * This file is part of the libvirt-go-module project
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 * THE SOFTWARE.
 *
 * Copyright (C) 2022 Red Hat, Inc.
 *
 */
/****************************************************************************
 * THIS CODE HAS BEEN GENERATED. DO NOT CHANGE IT DIRECTLY                  *
 ****************************************************************************/

#pragma once

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_READONLY "readonly"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_SASL_USER_NAME "sasl_user_name"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_SELINUX_CONTEXT "selinux_context"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_SOCKET_ADDR "sock_addr"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_UNIX_GROUP_ID "unix_group_id"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_UNIX_GROUP_NAME "unix_group_name"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_UNIX_PROCESS_ID "unix_process_id"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_UNIX_USER_ID "unix_user_id"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_UNIX_USER_NAME "unix_user_name"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_CLIENT_INFO_X509_DISTINGUISHED_NAME "tls_x509_dname"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_SERVER_CLIENTS_CURRENT "nclients"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_SERVER_CLIENTS_MAX "nclients_max"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_SERVER_CLIENTS_UNAUTH_CURRENT "nclients_unauth"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_SERVER_CLIENTS_UNAUTH_MAX "nclients_unauth_max"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_JOB_QUEUE_DEPTH "jobQueueDepth"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_WORKERS_CURRENT "nWorkers"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_WORKERS_FREE "freeWorkers"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_WORKERS_MAX "maxWorkers"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_WORKERS_MIN "minWorkers"
#endif

#if !LIBVIR_CHECK_VERSION(2, 0, 0)
#  define VIR_THREADPOOL_WORKERS_PRIORITY "prioWorkers"
#endif
